"""Webhook reads for the API and the admin."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from webhooks.models import Delivery, DeliveryAttempt, Webhook


def webhook_deliveries(*, webhook: Webhook) -> QuerySet[Delivery]:
    """``webhook``'s deliveries, newest first, each with its event type and its attempts (oldest first)."""
    return (
        Delivery.objects.filter(webhook=webhook)
        .select_related("event")
        .defer("event__body", "event__brief_body")
        .prefetch_related(Prefetch("attempts", queryset=DeliveryAttempt.objects.order_by("attempted_at", "id")))
        .order_by("-created_at", "-id")
    )
