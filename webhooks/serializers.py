"""Serializers for webhooks (REST hooks, as Zapier subscribes) and their deliveries."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers import ChoiceField, StrictFieldsMixin
from webhooks.events import SUBSCRIBABLE
from webhooks.models import Delivery, DeliveryAttempt, Webhook


class WebhookSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A webhook as its owner sees it: never its secret. On creation, ``event`` (one type, Zapier's form) or
    ``events`` (a list; ``*`` for all) says what it receives."""

    target_url = serializers.CharField(
        max_length=Webhook._meta.get_field("target_url").max_length,
        help_text="Where events are POSTed: an https:// URL that resolves to public addresses.",
    )
    event = ChoiceField(
        choices=SUBSCRIBABLE, write_only=True, required=False, help_text="One event type (REST hooks' form)."
    )
    events = serializers.ListField(
        child=ChoiceField(choices=SUBSCRIBABLE), required=False, allow_empty=False, help_text='Or "*" for all.'
    )

    class Meta:
        model = Webhook
        fields = [
            "id",
            "target_url",
            "event",
            "events",
            "description",
            "enabled",
            "disabled_reason",
            "disabled_at",
            "created_at",
        ]
        read_only_fields = ["enabled", "disabled_reason", "disabled_at", "created_at"]

    def validate(self, attrs: dict) -> dict:
        if "event" in attrs and "events" in attrs:
            raise serializers.ValidationError({"event": ["Give event or events, not both."]})
        if "event" not in attrs and "events" not in attrs:
            raise serializers.ValidationError({"events": ["Give event (one type) or events (a list of types)."]})
        if "event" in attrs:
            attrs["events"] = [attrs.pop("event")]
        return attrs


class WebhookCreatedSerializer(WebhookSerializer):
    """The creation response: the only time the signing ``secret`` is ever returned."""

    secret = serializers.CharField(
        read_only=True,
        help_text="The signing secret (whsec_…), for verifying the webhook-signature header. Shown once; store it now.",
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["attempted_at", "status_code", "duration_ms", "outcome", "error", "response_excerpt"]


class DeliverySerializer(serializers.ModelSerializer):
    """A delivery: one event for one webhook, its ``webhook_id`` (the ``webhook-id`` header, the same on every
    attempt), its state and its attempts, oldest first."""

    webhook_id = serializers.CharField(source="message_id", help_text="The webhook-id header receivers dedupe on.")
    event = serializers.SerializerMethodField()
    attempts = DeliveryAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "webhook_id",
            "event",
            "status",
            "attempt_count",
            "next_attempt_at",
            "last_attempt_at",
            "last_status_code",
            "last_error",
            "created_at",
            "finished_at",
            "attempts",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(help_text="The event type, e.g. post.published."))
    def get_event(self, delivery: Delivery) -> str:
        return delivery.event.type
