"""App configs of the project package."""

from django.contrib.admin.apps import AdminConfig


class PolyCMSAdminConfig(AdminConfig):
    """``django.contrib.admin`` with ``PolyCMSAdminSite`` as ``admin.site``."""

    default_site = "polycms.admin.PolyCMSAdminSite"
