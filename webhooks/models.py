"""Webhooks: subscriptions (``Webhook``), the transactional outbox of events (``WebhookEvent``), one message per
webhook and event (``Delivery``, whose ``message_id`` is the ``webhook-id`` receivers dedupe on) and each HTTP
attempt of it (``DeliveryAttempt``).

The signing secret is stored encrypted (``webhooks.crypto``); its plaintext exists only in the return value of
``services.webhook_create`` / ``services.webhook_rotate_secret``.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from webhooks import events as webhook_events
from webhooks import policies


class WebhookQuerySet(models.QuerySet):
    def enabled(self) -> WebhookQuerySet:
        return self.filter(enabled=True)

    def visible_to(self, user) -> WebhookQuerySet:
        """The webhooks ``user`` may see and manage (``webhooks.policies``)."""
        if policies.sees_every_webhook(user):
            return self
        if policies.can_manage_own_webhooks(user):
            return self.filter(owner=user)
        return self.none()


class Webhook(models.Model):
    """A subscription: events of the listed types are POSTed, signed, to ``target_url``."""

    class DisabledReason(models.TextChoices):
        OWNER = "owner", "Disabled by its owner"
        GONE = "gone", "The endpoint answered 410 Gone"
        FAILING = "failing", "Every attempt failed for days"
        TOKEN_REVOKED = "token_revoked", "The token that created it was revoked"
        TOKEN_EXPIRED = "token_expired", "The token that created it expired"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks")
    target_url = models.URLField(max_length=2000, help_text="The https:// URL events are POSTed to.")
    events = models.JSONField(default=list, help_text='Event types, or ["*"] for all.')
    description = models.CharField(max_length=200, blank=True, default="")
    secret_ciphertext = models.TextField(editable=False)
    # After a rotation the previous secret signs too (a second signature) until previous_secret_expires_at.
    previous_secret_ciphertext = models.TextField(blank=True, default="", editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    enabled = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(
        max_length=20, choices=DisabledReason.choices, blank=True, default="", editable=False
    )
    # The first failed attempt since the last successful one; None while the endpoint answers.
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    # The token that created the webhook through the API (Zapier): revoking it, or its expiry, disables the webhook.
    created_by_token = models.ForeignKey(
        "tokens.PersonalAccessToken",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="webhooks",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = WebhookQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("manage_any_webhook", "Can see and manage any user's webhooks")]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="webhook_owner_created_idx"),
            models.Index(fields=["enabled"], name="webhook_enabled_idx", condition=Q(enabled=True)),
        ]

    def __str__(self) -> str:
        return self.target_url

    def subscribes_to(self, event_type: str) -> bool:
        return event_type == webhook_events.PING or webhook_events.subscribed(self.events, event_type)

    def previous_secret_active(self, now: datetime | None = None) -> bool:
        return bool(self.previous_secret_ciphertext) and (
            self.previous_secret_expires_at is not None and self.previous_secret_expires_at > (now or timezone.now())
        )


class WebhookEvent(models.Model):
    """The outbox: one row per event, written in the same transaction as the change it reports
    (``webhooks.outbox``). ``body`` is the exact JSON every delivery sends and signs, serialised once.

    Who receives it is decided when it is dispatched, from what the event says about the post: its
    ``post_author_id`` and whether it was ``post_public`` (live). ``brief_body`` (``post.unpublished``) goes to
    the webhooks whose owners could read the post only while it was live: its id and slug, nothing of the now
    hidden post. A scheduled publication (``available_at`` in the future) is serialised when it is dispatched.
    ``webhook`` is set for a ping: it goes to that webhook only.
    """

    type = models.CharField(max_length=40)
    post_id = models.BigIntegerField(null=True, blank=True)
    post_author_id = models.BigIntegerField(null=True, blank=True)
    post_public = models.BooleanField(default=False)
    scheduled_for = models.DateTimeField(null=True, blank=True)  # a scheduled publication's published_at
    body = models.TextField(blank=True, default="")
    brief_body = models.TextField(blank=True, default="")
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    occurred_at = models.DateTimeField(default=timezone.now)
    available_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["available_at", "id"], name="webhookevent_undispatched_idx", condition=Q(dispatched_at=None)
            ),
            models.Index(fields=["occurred_at"], name="webhookevent_occurred_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type} #{self.pk}"


class Delivery(models.Model):
    """One message: an event for one webhook, with its own ``message_id`` (the ``webhook-id`` header: the same
    on every attempt and on a redelivery, so receivers dedupe on it) and its state."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    # The webhook-id header: unique per message, the same on every attempt.
    message_id = models.CharField(max_length=40, unique=True)
    brief = models.BooleanField(default=False)  # sends event.brief_body instead of event.body
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempt_count = models.PositiveIntegerField(default=0)
    # Failed attempts since the delivery was (re)queued: the position in RETRY_SCHEDULE.
    retry_index = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The job (django-tasks result id) that makes the next attempt; any other job for this delivery does nothing.
    task_id = models.UUIDField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(fields=["webhook", "-created_at", "-id"], name="delivery_webhook_created_idx"),
            models.Index(fields=["next_attempt_at"], name="delivery_pending_idx", condition=Q(status="pending")),
            models.Index(fields=["finished_at"], name="delivery_finished_idx"),
        ]

    def __str__(self) -> str:
        return self.message_id


class DeliveryAttempt(models.Model):
    """One HTTP attempt of a delivery: when (its ``webhook-timestamp``), the answer, how long it took."""

    class Outcome(models.TextChoices):
        SUCCEEDED = "succeeded", "Succeeded (2xx)"
        RETRY = "retry", "Failed, will be retried"
        FAILED = "failed", "Failed, not retried"

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    error = models.CharField(max_length=500, blank=True, default="")
    response_excerpt = models.TextField(blank=True, default="")  # at most RESPONSE_EXCERPT_BYTES of the body

    class Meta:
        ordering = ["attempted_at", "id"]
        indexes = [models.Index(fields=["attempted_at"], name="deliveryattempt_at_idx")]

    def __str__(self) -> str:
        return f"{self.delivery_id} @ {self.attempted_at:%Y-%m-%d %H:%M:%S}"
