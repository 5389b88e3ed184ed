"""Admin for personal access tokens ("API tokens"), and a user-admin action that revokes users' tokens.

Who may do what is ``tokens.policies``, the rule the API follows too: every staff user creates, sees
and revokes their own tokens, with no model permission; ``tokens.revoke_any_token`` ("Can revoke any
user's token") also shows everyone's tokens, here and through the user admin's "Revoke all API tokens"
action. Superusers see everything.

A token is never edited: it is created, then possibly revoked. Its plaintext appears once, in the
response to the creation POST (nothing server-side keeps it); its digest is never shown or filterable.

Nor is a token deleted here, not even by a superuser: the revoked row is the record of who revoked it
and when, until ``manage.py prunetokens`` deletes tokens revoked or expired longer than the retention
period. So the admin does not delete a user who still has tokens either (Django refuses for want of the
delete permission on their tokens): deactivate the user instead, which refuses their tokens at once.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.utils import display_for_value, flatten_fieldsets, quote, unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.db.models import QuerySet
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.utils.translation import ngettext

from polycms.http import client_ip
from tokens.forms import TokenCreateForm
from tokens.models import PersonalAccessToken
from tokens.policies import can_manage_own_tokens, can_see_token, sees_every_token
from tokens.services import tokens_revoke

REVOKED_MESSAGE = "Revoked"
NOTHING = "—"


def _day_cell(value: datetime | None, empty: str) -> str:
    """A list cell holding only the day, with the full date and time as its tooltip: seven columns have to
    fit beside the sidebar and the filters at 1280 px."""
    if value is None:
        return empty
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        display_for_value(value, empty),
        f"{timezone.localtime(value):%Y-%m-%d}",
    )


def _revoke(request: HttpRequest, tokens: QuerySet[PersonalAccessToken]) -> int:
    """Revoke every not-yet-revoked token in ``tokens``, with one admin history entry ("Revoked") per
    token actually revoked; returns how many."""
    revoked = tokens_revoke(tokens=tokens, by=request.user, ip=client_ip(request))
    if revoked:
        LogEntry.objects.log_actions(
            user_id=request.user.pk, queryset=revoked, action_flag=CHANGE, change_message=REVOKED_MESSAGE
        )
    return len(revoked)


class StatusListFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return PersonalAccessToken.Status.choices

    def queryset(self, request, queryset):
        match self.value():
            case PersonalAccessToken.Status.ACTIVE:
                return queryset.active()
            case PersonalAccessToken.Status.EXPIRED:
                return queryset.expired()
            case PersonalAccessToken.Status.REVOKED:
                return queryset.revoked()
        return queryset


@admin.register(PersonalAccessToken)
class PersonalAccessTokenAdmin(admin.ModelAdmin):
    """Create (showing the plaintext once), list, view and revoke tokens; see the module docstring for
    permissions."""

    # "owner" only for those who see others' tokens (get_list_display); the status next to the name, so
    # it stays in view when a narrow screen scrolls the table.
    list_display = [
        "name_and_hint",
        "status_badge",
        "owner",
        "abilities_list",
        "created_day",
        "last_used_day",
        "expires_day",
    ]
    list_select_related = ["owner"]
    search_fields = ["name", "owner__username"]
    actions = ["revoke_selected"]
    fieldsets = [
        (None, {"fields": ["name", "owner_name", "token_hint", "abilities_list", "status_badge"]}),
        ("Use", {"fields": ["created_at", "expires", "last_used", "last_used_from"]}),
    ]
    revocation_fieldset = ("Revocation", {"fields": ["revoked_at", "revoked_by_name"]})
    readonly_fields = [*flatten_fieldsets(fieldsets), *revocation_fieldset[1]["fields"]]
    add_fieldsets = [(None, {"fields": ["name", "abilities", "expires_in", "expires_on"]})]
    change_form_template = "admin/tokens/personalaccesstoken/change_form.html"
    change_list_template = "admin/tokens/personalaccesstoken/change_list.html"
    token_created_template = "admin/tokens/personalaccesstoken/token_created.html"
    revoke_confirmation_template = "admin/tokens/personalaccesstoken/revoke_confirmation.html"

    class Media:
        css = {"all": ["tokens/admin.css"]}

    # ---------------------------------------------------------------- columns and detail fields
    @admin.display(description="Name", ordering="name")
    def name_and_hint(self, token: PersonalAccessToken) -> str:
        """The name with the hint under it: tokens that share a name (say, a revoked one and its
        replacement) differ by their hint."""
        return format_html('{}<span class="token-hint">{}</span>', token.name, token.display_hint)

    @admin.display(description="Status")
    def status_badge(self, token: PersonalAccessToken) -> str:
        status = PersonalAccessToken.Status(token.status)
        return format_html('<span class="token-status token-status-{}">{}</span>', status.value, status.label)

    @admin.display(description="Created", ordering="created_at")
    def created_day(self, token: PersonalAccessToken) -> str:
        return _day_cell(token.created_at, NOTHING)

    @admin.display(description="Last used", ordering="last_used_at")
    def last_used_day(self, token: PersonalAccessToken) -> str:
        return _day_cell(token.last_used_at, "Never")

    @admin.display(description="Expires", ordering="expires_at")
    def expires_day(self, token: PersonalAccessToken) -> str:
        return _day_cell(token.expires_at, "Never")

    # Users as plain names, not the links the admin makes of foreign keys: most staff may not open
    # user pages, and would meet a 403 there.
    @admin.display(description="Owner")
    def owner_name(self, token: PersonalAccessToken) -> str:
        return token.owner.get_username()

    @admin.display(description="Revoked by")
    def revoked_by_name(self, token: PersonalAccessToken) -> str:
        return token.revoked_by.get_username() if token.revoked_by else NOTHING

    @admin.display(description="Hint")
    def token_hint(self, token: PersonalAccessToken) -> str:
        return token.display_hint

    @admin.display(description="Abilities")
    def abilities_list(self, token: PersonalAccessToken) -> str:
        return ", ".join(token.abilities)

    # Formatted here rather than returning the datetime: the detail page (unlike the list) shows a
    # method's raw value, "None" included.
    @admin.display(description="Last used", ordering="last_used_at")
    def last_used(self, token: PersonalAccessToken) -> str:
        return display_for_value(token.last_used_at, "Never")

    @admin.display(description="Expires", ordering="expires_at")
    def expires(self, token: PersonalAccessToken) -> str:
        return display_for_value(token.expires_at, "Never")

    @admin.display(description="Last used from")
    def last_used_from(self, token: PersonalAccessToken) -> str:
        return token.last_used_ip or NOTHING

    # ---------------------------------------------------------------- visibility and permissions
    def get_queryset(self, request: HttpRequest) -> QuerySet[PersonalAccessToken]:
        return super().get_queryset(request).visible_to(request.user)

    def get_list_display(self, request: HttpRequest) -> list[str]:
        if sees_every_token(request.user):
            return self.list_display
        return [column for column in self.list_display if column != "owner"]

    def get_list_filter(self, request: HttpRequest) -> list:
        if sees_every_token(request.user):
            return [StatusListFilter, ("owner", admin.RelatedOnlyFieldListFilter)]
        return [StatusListFilter]

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # Local fields are filterable from the query string by default; ?digest__startswith=… would
        # reveal the digest one character at a time.
        if lookup.split(LOOKUP_SEP, 1)[0] == "digest":
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_fieldsets(self, request: HttpRequest, obj: PersonalAccessToken | None = None) -> list:
        if obj is not None and obj.is_revoked():
            return [*self.fieldsets, self.revocation_fieldset]
        return self.fieldsets

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_manage_own_tokens(request.user)

    def has_view_permission(self, request: HttpRequest, obj: PersonalAccessToken | None = None) -> bool:
        if obj is None:
            return can_manage_own_tokens(request.user)
        return can_see_token(request.user, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_manage_own_tokens(request.user)

    def has_change_permission(self, request: HttpRequest, obj: PersonalAccessToken | None = None) -> bool:
        return False  # tokens are read-only once created; revoking has its own permission and view

    def has_delete_permission(self, request: HttpRequest, obj: PersonalAccessToken | None = None) -> bool:
        return False  # revoked, never deleted (module docstring): no Delete button, no "Delete selected"

    def has_revoke_permission(self, request: HttpRequest, obj: PersonalAccessToken | None = None) -> bool:
        """Whoever can see a token may revoke it (get_queryset narrows what they can see)."""
        return self.has_view_permission(request, obj)

    # ---------------------------------------------------------------- create: the plaintext, once
    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None) -> HttpResponse:
        """The "Create New Token" form. A successful POST is answered with the plaintext page itself
        (200, not cacheable) rather than a redirect, so the plaintext never has to be kept anywhere
        between two requests: reloading re-submits the form (and fails on the name), going back or
        coming later cannot show it again."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = TokenCreateForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            with transaction.atomic(using=router.db_for_write(self.model)):
                created = form.create(owner=request.user, ip=client_ip(request))
                if created is not None:
                    token, plaintext = created
                    self.log_addition(request, token, self._creation_message(token))
            if created is not None:
                return self._token_created_response(request, token, plaintext)
        return self._create_form_response(request, form, form_url, extra_context)

    def _creation_message(self, token: PersonalAccessToken) -> str:
        expiry = f"{timezone.localtime(token.expires_at):%Y-%m-%d %H:%M %Z}" if token.expires_at else "never"
        return f"Created token “{token.name}” (abilities: {', '.join(token.abilities)}; expires: {expiry})."

    def _create_form_response(
        self, request: HttpRequest, form: TokenCreateForm, form_url: str, extra_context: dict | None
    ) -> HttpResponse:
        admin_form = helpers.AdminForm(form, self.add_fieldsets, {}, model_admin=self)
        context = {
            **self.admin_site.each_context(request),
            "title": "Create New Token",
            "subtitle": None,
            "adminform": admin_form,
            "object_id": None,
            "original": None,
            "is_popup": False,
            "to_field": None,
            "media": self.media + admin_form.media,
            "inline_admin_formsets": [],
            "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        return self.render_change_form(request, context, add=True, form_url=form_url)

    def _token_created_response(self, request: HttpRequest, token: PersonalAccessToken, plaintext: str) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": "Copy your new API token",
            "subtitle": None,
            "opts": self.opts,
            "token": token,
            "plaintext": plaintext,
            "changelist_url": reverse(f"{self.admin_site.name}:tokens_personalaccesstoken_changelist"),
        }
        response = TemplateResponse(request, self.token_created_template, context)
        # admin_view() already adds these; the page holding the plaintext must not depend on that.
        add_never_cache_headers(response)
        return response

    # ---------------------------------------------------------------- revoke
    def get_urls(self) -> list:
        revoke = path(
            "<path:object_id>/revoke/",
            self.admin_site.admin_view(self.revoke_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_revoke",
        )
        return [revoke, *super().get_urls()]  # first: the default "<path:object_id>/" would swallow it

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and not obj.is_revoked() and self.has_revoke_permission(request, obj):
            context["revoke_url"] = reverse(
                f"{self.admin_site.name}:tokens_personalaccesstoken_revoke", args=[quote(obj.pk)]
            )
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def revoke_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """GET: confirmation page; POST (CSRF-protected by admin_view): revoke, then back to the token."""
        token = self.get_object(request, unquote(object_id))
        if token is None:
            raise Http404("No such API token.")
        if not self.has_revoke_permission(request, token):
            raise PermissionDenied
        change_url = reverse(f"{self.admin_site.name}:tokens_personalaccesstoken_change", args=[quote(token.pk)])
        if token.is_revoked():
            self.message_user(request, f"“{token}” was already revoked.", messages.WARNING)
            return HttpResponseRedirect(change_url)
        if request.method == "POST":
            if _revoke(request, PersonalAccessToken.objects.filter(pk=token.pk)):
                self.message_user(request, f"Revoked “{token}”. It is refused from now on.", messages.SUCCESS)
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": "Revoke API token",
            "subtitle": str(token),
            "opts": self.opts,
            "token": token,
            "change_url": change_url,
        }
        return TemplateResponse(request, self.revoke_confirmation_template, context)

    @admin.action(description="Revoke selected tokens", permissions=["revoke"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[PersonalAccessToken]) -> None:
        revoked = _revoke(request, queryset)
        self.message_user(
            request,
            ngettext("Revoked %d token.", "Revoked %d tokens.", revoked) % revoked,
            messages.SUCCESS if revoked else messages.WARNING,
        )


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin plus an action to revoke every API token of the selected users."""

    actions = [*DjangoUserAdmin.actions, "revoke_api_tokens"]

    @admin.action(description="Revoke all API tokens of the selected users", permissions=["revoke_api_tokens"])
    def revoke_api_tokens(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        revoked = _revoke(request, PersonalAccessToken.objects.filter(owner__in=queryset))
        self.message_user(
            request,
            ngettext("Revoked %d API token.", "Revoked %d API tokens.", revoked) % revoked,
            messages.SUCCESS if revoked else messages.WARNING,
        )

    def has_revoke_api_tokens_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("tokens.revoke_any_token")
