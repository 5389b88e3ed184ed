"""The admin site: Django's, with the API's sign-in rules on its login page."""

from __future__ import annotations

import math
from datetime import timedelta

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from accounts import services as signin


class SignInLimitedAuthenticationForm(AdminAuthenticationForm):
    """The admin login form, checking passwords through ``accounts.services``: failures count against the
    same limits as ``/api/v1/auth/login`` (per identifier, account and IP) and are audited. A
    non-staff account fails like a wrong password, as Django's admin already words it."""

    def clean(self) -> dict:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = signin.sign_in_authenticate(
                    self.request, username=username, password=password, staff_only=True
                )
            except signin.SignInFailed:
                raise self.get_invalid_login_error() from None
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class PolyCMSAdminSite(admin.AdminSite):
    site_header = "PolyCMS administration"
    site_title = "PolyCMS admin"
    index_title = "Site administration"
    login_form = SignInLimitedAuthenticationForm
    login_locked_template = "admin/login_locked.html"

    @property
    def site_url(self) -> str:
        """The "View site" link: ``settings.POLYCMS_FRONTEND_URL``, else the API docs (the API host has no
        page at ``/``)."""
        return settings.POLYCMS_FRONTEND_URL or reverse("api:docs")

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """Django's login view; a locked sign-in is answered 429 with a page saying when to retry."""
        try:
            return super().login(request, extra_context)
        except signin.SignInLocked as locked:
            retry_after = math.ceil(locked.retry_after)
            context = {
                **self.each_context(request),
                "title": "Too many failed sign-in attempts",
                "subtitle": None,
                "retry_after_minutes": math.ceil(retry_after / 60),
                "retry_at": timezone.now() + timedelta(seconds=retry_after),
            }
            response = TemplateResponse(request, self.login_locked_template, context, status=429)
            response["Retry-After"] = str(retry_after)
            response["Cache-Control"] = "no-store"
            return response
