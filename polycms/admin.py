"""The admin site: Django's, branded PolyCMS, its models grouped into sections, with the API's sign-in
rules on its login page."""

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

# The index's and the sidebar's sections, in this order: each takes the models of whole apps ("posts")
# or single models ("auth.user", which wins over its app), listed in this order. Apps named nowhere keep
# their own box, after these. New content apps (categories, tags, media) join "Content".
ADMIN_SECTIONS: dict[str, tuple[str, ...]] = {
    "Content": ("posts", "taxonomy", "media"),
    "API access": ("tokens", "webhooks"),
    "Users": ("auth.user", "auth.group"),
    "Background jobs": ("django_tasks_database",),  # django-tasks' queue (webhook deliveries), read-only
}


def group_into_sections(app_list: list[dict], sections: dict[str, tuple[str, ...]]) -> list[dict]:
    """Regroup Django's app list (``AdminSite.get_app_list``) into ``sections``. A section is an app
    entry named after the section, linking to the app page of its first app; its models keep the
    order of ``sections``, then of their names."""
    place = {member: (name, rank) for name, members in sections.items() for rank, member in enumerate(members)}
    grouped: dict[str, tuple[dict, list[tuple[int, str, dict]]]] = {}
    others = []
    for app in app_list:
        unplaced = []
        for model in app["models"]:
            found = place.get(f"{app['app_label']}.{model['object_name'].lower()}") or place.get(app["app_label"])
            if found is None:
                unplaced.append(model)
                continue
            name, rank = found
            grouped.setdefault(name, (app, []))[1].append((rank, model["name"], model))
        if unplaced:
            others.append({**app, "models": unplaced})
    result = []
    for name in sections:
        if name in grouped:
            first_app, models = grouped[name]
            models.sort(key=lambda entry: entry[:2])
            result.append({**first_app, "name": name, "models": [model for *_, model in models]})
    return result + others


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
    site_title = "PolyCMS administration"  # the end of every admin page's <title>
    index_title = "Site administration"
    login_form = SignInLimitedAuthenticationForm
    login_locked_template = "admin/login_locked.html"
    sections = ADMIN_SECTIONS

    @property
    def site_url(self) -> str:
        """The "View site" link: ``settings.POLYCMS_FRONTEND_URL``, else the API docs (the API host has no
        page at ``/``)."""
        return settings.POLYCMS_FRONTEND_URL or reverse("api:docs")

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict]:
        """Django's list, grouped into ``sections``: the index, the app pages and the sidebar
        (``available_apps``) all read it."""
        return group_into_sections(super().get_app_list(request, app_label), self.sections)

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
