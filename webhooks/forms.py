"""The admin's webhook form: target URL, description and the events as checkboxes."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from webhooks import events as webhook_events
from webhooks import services
from webhooks.models import Webhook
from webhooks.settings import webhook_settings

# A ping reaches the webhook it tests whatever it subscribes to, so it is no choice here.
EVENT_CHOICES = [
    (webhook_events.ALL, "* — every event, including types added later"),
    *((event, f"{event} — {text}") for event, text in webhook_events.EVENTS.items() if event != webhook_events.PING),
]


class WebhookForm(forms.ModelForm):
    """Creates a webhook or changes one. The form only shapes the input: ``create()`` / ``update()`` (never
    ``save()``) hand it to ``webhook_create`` / ``webhook_update``, which own the rules (https, addresses refused by
    the SSRF guard, the per-user cap), and put the service's errors on the matching fields.

    A model form so the admin can show the webhook's read-only fields beside it (``instance``).
    """

    target_url = forms.CharField(
        label="Target URL",
        max_length=services.URL_MAX_LENGTH,
        widget=forms.URLInput(attrs={"class": "vURLField", "autocomplete": "off", "spellcheck": "false"}),
    )
    description = forms.CharField(
        required=False,
        max_length=services.DESCRIPTION_MAX_LENGTH,
        help_text="What it is for, e.g. “Rebuild the static site”.",
        widget=forms.TextInput(attrs={"class": "vTextField", "autocomplete": "off"}),
    )
    # "radiolist": the admin's class for choice lists, whose labels it then lets run the full width.
    events = forms.MultipleChoiceField(
        choices=EVENT_CHOICES,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "radiolist"}),
        help_text="What it receives: only about posts you may read. A ping (the Ping button) always reaches it.",
    )

    class Meta:
        model = Webhook
        fields = ["target_url", "description", "events"]

    def __init__(self, data=None, *, instance: Webhook | None = None) -> None:
        super().__init__(data, instance=instance)
        # Read per form, not at import: what this server accepts (POLYCMS_WEBHOOKS_ALLOW_HTTP / _PRIVATE_NETWORKS).
        scheme = "An http:// or https:// URL" if webhook_settings.ALLOW_HTTP else "An https:// URL"
        where = "" if webhook_settings.ALLOW_PRIVATE_NETWORKS else " that resolves to public addresses"
        self.fields["target_url"].help_text = f"Events are POSTed here, signed. {scheme}{where}."
        offered = {value for value, _ in EVENT_CHOICES}
        self.initial["events"] = [event for event in self.initial.get("events", []) if event in offered]

    def _post_clean(self) -> None:
        # No model validation, nor copying the input onto the instance: the service validates and writes. (Django's
        # URL validator would also refuse targets the API takes, such as an on-premise http://crm:8080/hook.)
        pass

    def create(self, *, owner, ip: str | None = None) -> tuple[Webhook, str] | None:
        """``webhook_create``: ``(webhook, secret)``, or None after adding the service's errors to the form. Call
        on a valid form."""
        try:
            return services.webhook_create(owner=owner, ip=ip, **self.cleaned_data)
        except ValidationError as exc:
            self._add_service_errors(exc)
            return None

    def update(self, *, by, ip: str | None = None) -> Webhook | None:
        """``webhook_update`` with the fields that changed: the webhook, or None after adding the service's
        errors to the form. Call on a valid form bound to the webhook (``instance``)."""
        changed = {name: self.cleaned_data[name] for name in self.changed_data}
        try:
            return services.webhook_update(webhook=self.instance, by=by, ip=ip, **changed)
        except ValidationError as exc:
            self._add_service_errors(exc)
            return None

    def _add_service_errors(self, exc: ValidationError) -> None:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        for field, messages in errors.items():
            self.add_error(field if field in self.fields else None, messages)
