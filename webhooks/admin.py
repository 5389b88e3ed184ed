"""Admin for webhooks: create one (its signing secret shown once), change its URL, description and events, enable or
disable it, ping it, read its delivery log (every attempt: status code, duration, response excerpt, error; the next
attempt), redeliver, rotate the secret (the new one shown once, the previous one still signing for a while), delete.

Who may do what is ``webhooks.policies``, the rule the API follows too: every staff user manages their own
webhooks, with no model permission; ``webhooks.manage_any_webhook`` shows and manages everyone's. Superusers see
everything.

A secret appears only in the response to the POST that created or rotated it (200, never cached; nothing on the
server keeps its plaintext): never on the change page, in the history or in a message. Nothing is lost by one
click: there is no bulk delete, and deleting a webhook asks first and says how much of its delivery log goes with
it (disabling keeps the log).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import display_for_value, quote, unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import router, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from polycms.http import client_ip
from webhooks import events as webhook_events
from webhooks import selectors, services
from webhooks.forms import WebhookForm
from webhooks.models import Delivery, DeliveryAttempt, Webhook
from webhooks.policies import can_manage_own_webhooks, can_see_webhook, sees_every_webhook
from webhooks.settings import webhook_settings

NOTHING = "—"
DELIVERIES_PER_PAGE = 20
LOG_PAGE_VAR = "log_page"
SECRET_FIELDS = ("secret_ciphertext", "previous_secret_ciphertext")

# Why a webhook is disabled, in the few words the list has room for (the change page gives the whole reason).
DISABLED_BRIEFLY = {
    Webhook.DisabledReason.OWNER: "turned off",
    Webhook.DisabledReason.GONE: "410 Gone",
    Webhook.DisabledReason.FAILING: "failing for days",
    Webhook.DisabledReason.TOKEN_REVOKED: "token revoked",
    Webhook.DisabledReason.TOKEN_EXPIRED: "token expired",
}


def webhook_status(webhook: Webhook) -> tuple[str, str]:
    """``(key, label)``: disabled; failing (enabled, every attempt failed since ``failing_since``); or enabled."""
    if not webhook.enabled:
        return "disabled", "Disabled"
    if webhook.failing_since is not None:
        return "failing", "Failing"
    return "enabled", "Enabled"


def _status_badge(webhook: Webhook) -> str:
    key, label = webhook_status(webhook)
    return format_html('<span class="webhook-status webhook-status-{}">{}</span>', key, label)


def _noted(value: str, note: str) -> str:
    """``value`` with ``note`` under it, quiet (a read-only field's meaning on the change page)."""
    return format_html('{}<div class="webhook-note">{}</div>', value, note)


def _time_cell(value: datetime | None, empty: str, format: str = "%Y-%m-%d") -> str:
    """A list cell holding the day (or ``format``), with the full date and time as its tooltip: the columns have to
    fit beside the sidebar and the filters at 1280 px."""
    if value is None:
        return empty
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        display_for_value(value, empty),
        f"{timezone.localtime(value):{format}}",
    )


def _hours(seconds: float) -> str:
    """``PREVIOUS_SECRET_TTL`` in words: "24 hours"."""
    hours = round(seconds / 3600)
    if hours * 3600 == seconds:
        return ngettext("%d hour", "%d hours", hours) % hours
    return ngettext("%d second", "%d seconds", seconds) % seconds


class StatusListFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("enabled", "Enabled"), ("failing", "Failing"), ("disabled", "Disabled")]

    def queryset(self, request, queryset):
        match self.value():
            case "enabled":
                return queryset.filter(enabled=True, failing_since__isnull=True)
            case "failing":
                return queryset.filter(enabled=True, failing_since__isnull=False)
            case "disabled":
                return queryset.filter(enabled=False)
        return queryset


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    """Create (showing the secret once), list, change, enable/disable, ping, redeliver, rotate and delete webhooks;
    see the module docstring for permissions."""

    # "owner" only for those who see others' webhooks (get_list_display); the status next to the URL, so it stays
    # in view when a narrow screen scrolls the table.
    list_display = ["target", "status_badge", "owner", "events_list", "last_delivery", "created_day"]
    list_display_links = ["target"]
    list_select_related = ["owner"]
    search_fields = ["target_url", "description", "owner__username"]
    actions = ["disable_selected", "enable_selected"]
    add_fieldsets = [(None, {"fields": ["target_url", "description", "events"]})]
    fieldsets = [
        *add_fieldsets,
        ("Status", {"fields": ["status_detail", "owner_name", "created", "created_with", "signing_secret"]}),
    ]
    readonly_fields = ["status_detail", "owner_name", "created", "created_with", "signing_secret"]
    change_form_template = "admin/webhooks/webhook/change_form.html"
    change_list_template = "admin/webhooks/webhook/change_list.html"
    delete_confirmation_template = "admin/webhooks/webhook/delete_confirmation.html"
    secret_template = "admin/webhooks/webhook/secret.html"
    rotate_confirmation_template = "admin/webhooks/webhook/rotate_confirmation.html"

    class Media:
        css = {"all": ["webhooks/admin.css"]}

    # ---------------------------------------------------------------- columns and detail fields
    @admin.display(description="Target URL", ordering="target_url")
    def target(self, webhook: Webhook) -> str:
        """The URL with the description under it: two webhooks to one URL differ by what they are for."""
        if not webhook.description:
            return webhook.target_url
        return format_html('{}<span class="webhook-description">{}</span>', webhook.target_url, webhook.description)

    @admin.display(description="Status")
    def status_badge(self, webhook: Webhook) -> str:
        if webhook.enabled:
            return _status_badge(webhook)
        reason = Webhook.DisabledReason(webhook.disabled_reason) if webhook.disabled_reason else None
        return format_html(
            '{}<span class="webhook-reason" title="{}">{}</span>',
            _status_badge(webhook),
            reason.label if reason else "",
            DISABLED_BRIEFLY.get(reason, ""),
        )

    @admin.display(description="Events")
    def events_list(self, webhook: Webhook) -> str:
        """One type a line, never broken inside."""
        events = ["All (*)"] if webhook_events.ALL in webhook.events else webhook.events
        return format_html_join("", '<span class="webhook-event">{}</span>', ((event,) for event in events))

    @admin.display(description="Last delivery", ordering="last_delivery_at")
    def last_delivery(self, webhook: Webhook) -> str:
        if webhook.last_delivery_at is None:
            return "None yet"
        status = Delivery.Status(webhook.last_delivery_status)
        return format_html(
            '<span class="delivery-status delivery-status-{}">{}</span><span class="webhook-when">{}</span>',
            status.value,
            status.label,
            _time_cell(webhook.last_delivery_at, NOTHING, "%Y-%m-%d %H:%M"),
        )

    @admin.display(description="Created", ordering="created_at")
    def created_day(self, webhook: Webhook) -> str:
        return _time_cell(webhook.created_at, NOTHING)

    @admin.display(description="Status")
    def status_detail(self, webhook: Webhook) -> str:
        if not webhook.enabled:
            reason = Webhook.DisabledReason(webhook.disabled_reason).label if webhook.disabled_reason else "Disabled"
            since = display_for_value(webhook.disabled_at, NOTHING)
            return _noted(
                _status_badge(webhook),
                f"{reason} (since {since}). Nothing is sent to it; enable it to receive events again, then redeliver "
                "what it missed from the log below.",
            )
        if webhook.failing_since is not None:
            since = display_for_value(webhook.failing_since, NOTHING)
            days = webhook_settings.DISABLE_AFTER_FAILING_DAYS
            return _noted(
                _status_badge(webhook),
                f"Every attempt since {since} has failed (see the log below). Failed deliveries are retried for about "
                f"3 days; an endpoint failing for {days} days is disabled and you are emailed.",
            )
        return _noted(_status_badge(webhook), "Events are delivered to it.")

    # A user as a plain name, not the link the admin makes of a foreign key: most staff may not open user pages.
    @admin.display(description="Owner")
    def owner_name(self, webhook: Webhook) -> str:
        return webhook.owner.get_username()

    @admin.display(description="Created")
    def created(self, webhook: Webhook) -> str:
        return display_for_value(webhook.created_at, NOTHING)

    @admin.display(description="Created with")
    def created_with(self, webhook: Webhook) -> str:
        token = webhook.created_by_token
        if token is None:
            return "The admin or a signed-in session"
        return format_html(
            "The API token “{}” ({}): revoking it, or its expiry, disables this webhook.",
            token.name,
            token.display_hint,
        )

    @admin.display(description="Signing secret")
    def signing_secret(self, webhook: Webhook) -> str:
        """What became of the secret; never the secret."""
        text = (
            "Shown once, when the webhook was created or its secret rotated; PolyCMS keeps it encrypted to sign "
            "deliveries and never shows it again. Lost it? Rotate the secret."
        )
        if webhook.previous_secret_active():
            until = display_for_value(webhook.previous_secret_expires_at, NOTHING)
            text = _noted(text, f"The previous secret also signs every delivery, as a second signature, until {until}")
        return text

    # ---------------------------------------------------------------- visibility and permissions
    def get_queryset(self, request: HttpRequest) -> QuerySet[Webhook]:
        latest = Delivery.objects.filter(webhook=OuterRef("pk")).order_by("-created_at", "-id")
        return (
            super()
            .get_queryset(request)
            .visible_to(request.user)
            .select_related("created_by_token")
            .annotate(
                last_delivery_status=Subquery(latest.values("status")[:1]),
                last_delivery_at=Subquery(latest.values("created_at")[:1]),
            )
        )

    def get_list_display(self, request: HttpRequest) -> list[str]:
        if sees_every_webhook(request.user):
            return self.list_display
        return [column for column in self.list_display if column != "owner"]

    def get_list_filter(self, request: HttpRequest) -> list:
        if sees_every_webhook(request.user):
            return [StatusListFilter, ("owner", admin.RelatedOnlyFieldListFilter)]
        return [StatusListFilter]

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # Local fields are filterable from the query string by default; never the encrypted secrets.
        if lookup.split(LOOKUP_SEP, 1)[0] in SECRET_FIELDS:
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_fieldsets(self, request: HttpRequest, obj: Webhook | None = None) -> list:
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one webhook at a time, after a confirmation that says what goes
        return actions

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_manage_own_webhooks(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Webhook | None = None) -> bool:
        if obj is None:
            return can_manage_own_webhooks(request.user)
        return can_see_webhook(request.user, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_manage_own_webhooks(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Webhook | None = None) -> bool:
        """Whoever can see a webhook may manage it (``policies.can_see_webhook``)."""
        return self.has_view_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Webhook | None = None) -> bool:
        return self.has_view_permission(request, obj)

    # ---------------------------------------------------------------- create and change
    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None) -> HttpResponse:
        """The "Create New Webhook" form. A successful POST is answered with the secret's page itself (200, not
        cacheable) rather than a redirect, so the secret never has to be kept anywhere between two requests:
        going back or coming later cannot show it again."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = WebhookForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            with transaction.atomic(using=router.db_for_write(self.model)):
                created = form.create(owner=request.user, ip=client_ip(request))
                if created is not None:
                    webhook, secret = created
                    self.log_addition(request, webhook, self._creation_message(webhook))
            if created is not None:
                return self._secret_response(request, webhook, secret, rotated=False)
        return self._form_response(request, form, None, form_url, extra_context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        """The webhook's form, read-only status, actions and delivery log. Saving goes through
        ``webhook_update``, whose refusals (say, a private address) land on the form."""
        webhook = self.get_object(request, unquote(object_id))
        if webhook is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, webhook):
            raise PermissionDenied
        form = WebhookForm(request.POST if request.method == "POST" else None, instance=webhook)
        if form.is_bound and form.is_valid():
            with transaction.atomic(using=router.db_for_write(self.model)):
                updated = form.update(by=request.user, ip=client_ip(request))
                if updated is not None:
                    self.log_change(request, webhook, self.construct_change_message(request, form, [], False))
            if updated is not None:
                return self.response_change(request, webhook)
        page = Paginator(selectors.webhook_deliveries(webhook=webhook), DELIVERIES_PER_PAGE).get_page(
            request.GET.get(LOG_PAGE_VAR)
        )
        for delivery in page:
            delivery.attempt_list = list(delivery.attempts.all())  # prefetched; the template wants the last one
        context = {
            "deliveries": page,
            "log_page_var": LOG_PAGE_VAR,
            "retention_days": webhook_settings.RETENTION_DAYS,
            **(extra_context or {}),
        }
        return self._form_response(request, form, webhook, form_url, context)

    def _form_response(
        self,
        request: HttpRequest,
        form: WebhookForm,
        webhook: Webhook | None,
        form_url: str,
        extra_context: dict | None,
    ) -> HttpResponse:
        """The add or change page, as Django's change form view renders it."""
        add = webhook is None
        admin_form = helpers.AdminForm(
            form, self.get_fieldsets(request, webhook), {}, self.get_readonly_fields(request, webhook), model_admin=self
        )
        context = {
            **self.admin_site.each_context(request),
            "title": "Create New Webhook" if add else "Change webhook",
            "subtitle": None if add else str(webhook),
            "adminform": admin_form,
            "object_id": None if add else webhook.pk,
            "original": webhook,
            "is_popup": False,
            "to_field": None,
            "media": self.media + admin_form.media,
            "inline_admin_formsets": [],
            "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        return self.render_change_form(request, context, add=add, change=not add, obj=webhook, form_url=form_url)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["action_urls"] = {name: self._url(name, obj) for name in ("ping", "enable", "disable", "rotate")}
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def _creation_message(self, webhook: Webhook) -> str:
        # Not the URL again: the entry's object_repr is the URL, and a REST hook URL carries a capability.
        return f"Created webhook (events: {', '.join(webhook.events)})."

    def _secret_response(self, request: HttpRequest, webhook: Webhook, secret: str, *, rotated: bool) -> HttpResponse:
        """The only page that ever shows a secret: the answer to the POST that made it."""
        ttl = webhook_settings.PREVIOUS_SECRET_TTL
        context = {
            **self.admin_site.each_context(request),
            "title": "Copy the new signing secret" if rotated else "Copy your webhook's signing secret",
            "subtitle": None,
            "opts": self.opts,
            "webhook": webhook,
            "secret": secret,
            "rotated": rotated,
            "overlap": _hours(ttl),
            "change_url": self._url("change", webhook),
        }
        response = TemplateResponse(request, self.secret_template, context)
        # admin_view() already adds these; the page holding the secret must not depend on that.
        add_never_cache_headers(response)
        return response

    # ---------------------------------------------------------------- actions: ping, enable/disable, rotate, redeliver
    def get_urls(self) -> list:
        def route(suffix: str, view, name: str):
            return path(
                f"<path:object_id>/{suffix}",
                self.admin_site.admin_view(view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_{name}",
            )

        own = [
            route("ping/", self.ping_view, "ping"),
            route("enable/", self.enable_view, "enable"),
            route("disable/", self.disable_view, "disable"),
            route("rotate-secret/", self.rotate_view, "rotate"),
            route("deliveries/<int:delivery_id>/redeliver/", self.redeliver_view, "redeliver"),
        ]
        return [*own, *super().get_urls()]  # first: the default "<path:object_id>/" would swallow them

    def _url(self, name: str, webhook: Webhook, *args) -> str:
        return reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{name}",
            args=[quote(webhook.pk), *args],
        )

    def _managed_webhook(self, request: HttpRequest, object_id: str) -> Webhook:
        """The webhook ``object_id`` if the user may manage it; 404 as for a missing one otherwise (get_queryset
        shows only those they may see)."""
        webhook = self.get_object(request, unquote(object_id))
        if webhook is None:
            raise Http404("No such webhook.")
        if not self.has_change_permission(request, webhook):
            raise PermissionDenied
        return webhook

    def _back_to_log(self, webhook: Webhook) -> HttpResponseRedirect:
        return HttpResponseRedirect(self._url("change", webhook) + "#delivery-log")

    def ping_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """POST (CSRF-protected by admin_view): queue a ``ping`` to the webhook, then back to its log."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        webhook = self._managed_webhook(request, object_id)
        delivery = services.webhook_ping(webhook=webhook, by=request.user)
        self.log_change(request, webhook, f"Sent a ping ({delivery.message_id}).")
        self.message_user(
            request,
            f"Ping queued ({delivery.message_id}). Its delivery is at the top of the log; reload to see the answer.",
            messages.SUCCESS,
        )
        return self._back_to_log(webhook)

    def enable_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._set_enabled(request, object_id, enabled=True)

    def disable_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._set_enabled(request, object_id, enabled=False)

    def _set_enabled(self, request: HttpRequest, object_id: str, *, enabled: bool) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        webhook = self._managed_webhook(request, object_id)
        if self._apply_enabled(request, webhook, enabled=enabled):
            self.message_user(request, self._enabled_message(webhook, enabled), messages.SUCCESS)
        else:
            state = "enabled" if enabled else "disabled"
            self.message_user(request, f"“{webhook}” was already {state}.", messages.WARNING)
        return HttpResponseRedirect(self._url("change", webhook))

    def _apply_enabled(self, request: HttpRequest, webhook: Webhook, *, enabled: bool) -> bool:
        changed = services.webhook_set_enabled(webhook=webhook, enabled=enabled, by=request.user, ip=client_ip(request))
        if changed:
            self.log_change(request, webhook, "Enabled." if enabled else "Disabled.")
        return changed

    @staticmethod
    def _enabled_message(webhook: Webhook, enabled: bool) -> str:
        if enabled:
            return f"Enabled “{webhook}”: new events are delivered to it again. Redeliver what it missed from its log."
        return (
            f"Disabled “{webhook}”: nothing is sent to it until it is enabled again. Its delivery log is kept; "
            "deliveries still waiting for a retry fail when it comes, and can be redelivered once it is enabled."
        )

    def rotate_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """GET: confirmation page; POST: rotate, and answer with the new secret, once."""
        webhook = self._managed_webhook(request, object_id)
        if request.method == "POST":
            secret = services.webhook_rotate_secret(webhook=webhook, by=request.user, ip=client_ip(request))
            self.log_change(request, webhook, "Rotated the signing secret.")
            return self._secret_response(request, webhook, secret, rotated=True)
        ttl = webhook_settings.PREVIOUS_SECRET_TTL
        context = {
            **self.admin_site.each_context(request),
            "title": "Rotate the signing secret",
            "subtitle": str(webhook),
            "opts": self.opts,
            "webhook": webhook,
            "overlap": _hours(ttl),
            "overlap_until": timezone.now() + timedelta(seconds=ttl),
            "previous_until": webhook.previous_secret_expires_at if webhook.previous_secret_active() else None,
            "change_url": self._url("change", webhook),
        }
        return TemplateResponse(request, self.rotate_confirmation_template, context)

    def redeliver_view(self, request: HttpRequest, object_id: str, delivery_id: int) -> HttpResponse:
        """POST: queue a delivery again (the same webhook-id and body, a fresh retry schedule)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        webhook = self._managed_webhook(request, object_id)
        delivery = Delivery.objects.filter(webhook=webhook, pk=delivery_id).select_related("event").first()
        if delivery is None:
            raise Http404("No such delivery for this webhook.")
        try:
            services.delivery_redeliver(delivery=delivery, by=request.user)
        except services.WebhookDisabled as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return self._back_to_log(webhook)
        self.log_change(request, webhook, f"Redelivered {delivery.event.type} ({delivery.message_id}).")
        self.message_user(
            request,
            f"Queued {delivery.event.type} ({delivery.message_id}) again: the same webhook-id and body, so the "
            "receiver can tell it is the same message.",
            messages.SUCCESS,
        )
        return self._back_to_log(webhook)

    @admin.action(description="Disable selected webhooks", permissions=["change"])
    def disable_selected(self, request: HttpRequest, queryset: QuerySet[Webhook]) -> None:
        changed = sum(self._apply_enabled(request, webhook, enabled=False) for webhook in queryset)
        self.message_user(
            request,
            ngettext("Disabled %d webhook.", "Disabled %d webhooks.", changed) % changed,
            messages.SUCCESS if changed else messages.WARNING,
        )

    @admin.action(description="Enable selected webhooks", permissions=["change"])
    def enable_selected(self, request: HttpRequest, queryset: QuerySet[Webhook]) -> None:
        changed = sum(self._apply_enabled(request, webhook, enabled=True) for webhook in queryset)
        self.message_user(
            request,
            ngettext("Enabled %d webhook.", "Enabled %d webhooks.", changed) % changed,
            messages.SUCCESS if changed else messages.WARNING,
        )

    # ---------------------------------------------------------------- delete
    def get_deleted_objects(self, objs, request: HttpRequest) -> tuple[list, dict, set, list]:
        """Counts instead of Django's list of every related row (a busy webhook has thousands of deliveries)."""
        webhooks = list(objs)
        model_count = {
            "webhooks": len(webhooks),
            "deliveries": Delivery.objects.filter(webhook__in=webhooks).count(),
            "delivery attempts": DeliveryAttempt.objects.filter(delivery__webhook__in=webhooks).count(),
        }
        return [f"Webhook: {webhook}" for webhook in webhooks], model_count, set(), []

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: dict | None = None) -> HttpResponse:
        disable = f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_disable"
        context = {"disable_url": reverse(disable, args=[object_id])}
        return super().delete_view(request, object_id, {**context, **(extra_context or {})})

    def delete_model(self, request: HttpRequest, obj: Webhook) -> None:
        services.webhook_delete(webhook=obj, by=request.user, ip=client_ip(request))
