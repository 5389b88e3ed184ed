"""Webhook writes: create (the secret shown once), update, rotate the secret, enable/disable, delete, ping,
redeliver; and the delivery machinery the jobs run: dispatch events, attempt a delivery, the workers' upkeep,
pruning. The API, the admin and the commands all call these.

Contracts for callers (stable):

- ``webhook_create(*, owner, target_url, events, description="", created_by_token=None, ip=None)``
  → ``(webhook, secret)``: the plaintext ``whsec_…`` secret exists only in this return value.
- ``webhook_update(*, webhook, by, target_url=None, events=None, description=None, ip=None)`` → the webhook.
- ``webhook_rotate_secret(*, webhook, by, ip=None)`` → the new plaintext secret (shown once); the previous one
  keeps signing too (a second signature) for ``PREVIOUS_SECRET_TTL`` (24 h).
- ``webhook_set_enabled(*, webhook, enabled, by, ip=None)`` → whether it changed. Enabling clears the failure
  streak; pending deliveries of a disabled webhook fail when their attempt comes.
- ``webhook_delete(*, webhook, by, ip=None)``: deletes it with its deliveries.
- ``webhook_ping(*, webhook, by=None)`` → the ``ping`` ``Delivery``, queued now (even to a disabled webhook).
- ``delivery_redeliver(*, delivery, by=None)`` → the delivery, queued again now with the same ``webhook-id`` and
  body (a fresh retry schedule). Raises ``WebhookDisabled`` for a disabled webhook.
- ``selectors.webhook_deliveries(*, webhook)``: its deliveries, newest first, attempts prefetched.

Invalid input raises ``django.core.exceptions.ValidationError`` keyed by field (target_url, events,
description; ``non_field_errors`` past ``MAX_PER_USER``).
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from webhooks import crypto, policies, transport
from webhooks import events as webhook_events
from webhooks.models import Delivery, DeliveryAttempt, Webhook, WebhookEvent
from webhooks.outbox import event_body, post_data
from webhooks.settings import webhook_settings

audit = logging.getLogger("polycms.audit")
logger = logging.getLogger("polycms.webhooks")

URL_MAX_LENGTH = Webhook._meta.get_field("target_url").max_length
DESCRIPTION_MAX_LENGTH = Webhook._meta.get_field("description").max_length
ERROR_MAX_LENGTH = DeliveryAttempt._meta.get_field("error").max_length


class WebhookDisabled(Exception):
    """The webhook is disabled: enable it before redelivering."""


# ---------------------------------------------------------------------------- managing webhooks


def _validate(target_url: str | None, events: list[str] | None, description: str | None) -> dict:
    """The cleaned values of the fields given (not None); ValidationError keyed by field."""
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}
    if target_url is not None:
        target_url = target_url.strip()
        reason = None if len(target_url) <= URL_MAX_LENGTH else f"At most {URL_MAX_LENGTH} characters."
        reason = reason or transport.url_refusal(target_url) or _resolution_refusal(target_url)
        if reason:
            errors["target_url"] = [reason]
        cleaned["target_url"] = target_url
    if events is not None:
        try:
            cleaned["events"] = webhook_events.normalize(events)
        except ValueError as exc:
            errors["events"] = [str(exc)]
    if description is not None:
        cleaned["description"] = description.strip()
        if len(cleaned["description"]) > DESCRIPTION_MAX_LENGTH:
            errors["description"] = [f"At most {DESCRIPTION_MAX_LENGTH} characters."]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _resolution_refusal(url: str) -> str | None:
    """A host that resolves now to an address deliveries would refuse is refused at once. A host that does not
    resolve is accepted: every delivery resolves and checks it again."""
    parts = urlsplit(url)
    try:
        transport.resolve(parts.hostname, parts.port or 443)
    except transport.Refused as exc:
        return str(exc)
    except (OSError, UnicodeError):
        return None
    return None


def webhook_create(
    *,
    owner,
    target_url: str,
    events: list[str],
    description: str = "",
    created_by_token=None,
    ip: str | None = None,
) -> tuple[Webhook, str]:
    """Validate and create a webhook for ``owner``; return ``(webhook, secret)``. The secret (``whsec_…``) is
    stored encrypted and never shown again. ``created_by_token``: the token of an API request, whose revocation
    or expiry disables the webhook."""
    cleaned = _validate(target_url, events, description)
    with transaction.atomic():
        # Creates for one owner queue here, so two concurrent ones cannot both take the last free place.
        list(get_user_model()._default_manager.select_for_update().filter(pk=owner.pk).values_list("pk"))
        cap = webhook_settings.MAX_PER_USER
        if Webhook.objects.filter(owner=owner).count() >= cap:
            raise ValidationError(
                {"non_field_errors": [f"You already have {cap} webhooks, the most one account may hold."]}
            )
        secret = crypto.generate_secret()
        webhook = Webhook.objects.create(
            owner=owner,
            secret_ciphertext=crypto.encrypt(secret),
            created_by_token=created_by_token,
            **cleaned,
        )
    audit.info("webhook.created", extra={"audit": _audit_fields(webhook, actor=owner, ip=ip)})
    return webhook, secret


def webhook_update(
    *,
    webhook: Webhook,
    by,
    target_url: str | None = None,
    events: list[str] | None = None,
    description: str | None = None,
    ip: str | None = None,
) -> Webhook:
    """Change the given fields (None: unchanged). Deliveries already queued keep going to the new URL."""
    cleaned = _validate(target_url, events, description)
    if cleaned:
        for field, value in cleaned.items():
            setattr(webhook, field, value)
        webhook.updated_at = timezone.now()
        webhook.save(update_fields=[*cleaned, "updated_at"])
        audit.info("webhook.updated", extra={"audit": _audit_fields(webhook, actor=by, ip=ip, fields=sorted(cleaned))})
    return webhook


_SECRET_FIELDS = ["previous_secret_ciphertext", "previous_secret_expires_at", "secret_ciphertext", "updated_at"]


def webhook_rotate_secret(*, webhook: Webhook, by, ip: str | None = None) -> str:
    """A new secret for ``webhook``, returned once. The current one becomes the previous secret and keeps signing
    (a second ``v1,`` signature) for ``PREVIOUS_SECRET_TTL`` seconds, so receivers can switch without losing
    a delivery."""
    secret = crypto.generate_secret()
    now = timezone.now()
    with transaction.atomic():
        locked = Webhook.objects.select_for_update().get(pk=webhook.pk)
        locked.previous_secret_ciphertext = locked.secret_ciphertext
        locked.previous_secret_expires_at = now + timedelta(seconds=webhook_settings.PREVIOUS_SECRET_TTL)
        locked.secret_ciphertext = crypto.encrypt(secret)
        locked.updated_at = now
        locked.save(update_fields=_SECRET_FIELDS)
    for field in _SECRET_FIELDS:
        setattr(webhook, field, getattr(locked, field))
    audit.info("webhook.secret_rotated", extra={"audit": _audit_fields(webhook, actor=by, ip=ip)})
    return secret


def webhook_set_enabled(*, webhook: Webhook, enabled: bool, by, ip: str | None = None) -> bool:
    """Enable or disable ``webhook`` (by its owner or an admin); returns whether it changed."""
    changed = _enable(webhook) if enabled else _disable(webhook, Webhook.DisabledReason.OWNER)
    if changed:
        action = "webhook.enabled" if enabled else "webhook.disabled"
        audit.info(action, extra={"audit": _audit_fields(webhook, actor=by, ip=ip, reason="owner")})
    return changed


def _enable(webhook: Webhook) -> bool:
    now = timezone.now()
    values = {"enabled": True, "disabled_at": None, "disabled_reason": "", "failing_since": None, "updated_at": now}
    changed = Webhook.objects.filter(pk=webhook.pk, enabled=False).update(**values)
    if changed:
        for field, value in values.items():
            setattr(webhook, field, value)
    return bool(changed)


def _disable(webhook: Webhook, reason: str) -> bool:
    """One conditional UPDATE, so concurrent disables record one reason."""
    now = timezone.now()
    values = {"enabled": False, "disabled_at": now, "disabled_reason": reason, "updated_at": now}
    changed = Webhook.objects.filter(pk=webhook.pk, enabled=True).update(**values)
    if changed:
        for field, value in values.items():
            setattr(webhook, field, value)
    return bool(changed)


def webhook_delete(*, webhook: Webhook, by, ip: str | None = None) -> None:
    """Delete ``webhook`` and its deliveries: nothing more is sent to it."""
    fields = _audit_fields(webhook, actor=by, ip=ip)
    webhook.delete()
    audit.info("webhook.deleted", extra={"audit": fields})


def webhooks_disable_for_token(*, token, reason: str = Webhook.DisabledReason.TOKEN_REVOKED) -> int:
    """Disable the enabled webhooks ``token`` created (it was revoked or expired); returns how many."""
    disabled = 0
    for webhook in Webhook.objects.filter(created_by_token=token, enabled=True):
        if _disable(webhook, reason):
            disabled += 1
            audit.info("webhook.disabled", extra={"audit": _audit_fields(webhook, actor=None, ip=None, reason=reason)})
    return disabled


def webhook_ping(*, webhook: Webhook, by=None) -> Delivery:
    """Queue a ``ping`` event to ``webhook`` alone (whatever it subscribes to, enabled or not) and return its
    delivery. ``data`` is the webhook: ``{"id", "target_url", "events"}``."""
    now = timezone.now()
    data = {"id": webhook.pk, "target_url": webhook.target_url, "events": webhook.events}
    with transaction.atomic():
        event = WebhookEvent.objects.create(
            type=webhook_events.PING,
            webhook=webhook,
            body=event_body(webhook_events.PING, now, data),
            occurred_at=now,
            available_at=now,
            dispatched_at=now,
        )
        (delivery,) = _deliveries_create(event, [(webhook, False)], now)
    return delivery


def delivery_redeliver(*, delivery: Delivery, by=None) -> Delivery:
    """Queue ``delivery`` again now: the same ``webhook-id`` and body, a fresh retry schedule. Raises
    ``WebhookDisabled`` when its webhook is disabled (a ping may always be sent again)."""
    from webhooks import tasks

    now = timezone.now()
    with transaction.atomic():
        locked = Delivery.objects.select_for_update().select_related("webhook", "event").get(pk=delivery.pk)
        if not locked.webhook.enabled and locked.event.type != webhook_events.PING:
            raise WebhookDisabled("The webhook is disabled: enable it, then redeliver.")
        job = tasks.deliver.enqueue(locked.message_id)
        locked.status = Delivery.Status.PENDING
        locked.retry_index = 0
        locked.next_attempt_at = now
        locked.finished_at = None
        locked.task_id = job.id
        locked.save(update_fields=["status", "retry_index", "next_attempt_at", "finished_at", "task_id"])
    return locked


# ---------------------------------------------------------------------------- dispatching events


def events_dispatch(*, limit: int = 100) -> int:
    """Fan out every event whose time has come into deliveries, one per webhook that subscribes to its type, is
    enabled, existed when it happened and whose owner may read the post (``policies.can_receive``), each with
    its job. Safe to run concurrently: each event is taken once (``SKIP LOCKED`` on PostgreSQL, the write lock
    on SQLite). Returns the number of deliveries made."""
    made = 0
    due = WebhookEvent.objects.filter(dispatched_at__isnull=True, available_at__lte=timezone.now())
    if not due.exists():  # the one query of a relay pass with nothing to do (an index of the undispatched)
        return made
    while True:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Durable before any delivery is sent, even from a worker that commits asynchronously: a dispatch
                # lost in a crash would be made again, with new webhook-ids receivers could not dedupe.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO ON")
            now = timezone.now()
            batch = list(
                WebhookEvent.objects.select_for_update(skip_locked=True)
                .filter(dispatched_at__isnull=True, available_at__lte=now)
                .order_by("available_at", "id")[:limit]
            )
            if not batch:
                return made
            webhooks = list(Webhook.objects.enabled().select_related("owner"))
            owners = {}
            for webhook in webhooks:  # one user object per owner, so permissions are read once per owner
                webhook.owner = owners.setdefault(webhook.owner_id, webhook.owner)
            for event in batch:
                made += _dispatch(event, webhooks, now)
        if len(batch) < limit:
            return made


def _dispatch(event: WebhookEvent, webhooks: list[Webhook], now: datetime) -> int:
    WebhookEvent.objects.filter(pk=event.pk).update(dispatched_at=now)
    if event.scheduled_for is not None and not _prepare_scheduled(event):
        return 0
    recipients = []
    for webhook in webhooks:
        if not webhook.subscribes_to(event.type) or webhook.created_at > event.occurred_at:
            continue
        if policies.can_receive(webhook.owner, author_id=event.post_author_id, public=event.post_public):
            recipients.append((webhook, False))
        elif event.brief_body and webhook.owner.is_active:
            recipients.append((webhook, True))
    return len(_deliveries_create(event, recipients, now))


def _prepare_scheduled(event: WebhookEvent) -> bool:
    """A scheduled publication, now due: serialise the post as it is now, if it is still scheduled for that time
    and no other event announced this publication already. False: nothing to send."""
    from posts.models import Post

    post = Post.objects.select_related("author").filter(pk=event.post_id).first()
    if post is None or post.status != Post.Status.PUBLISHED or post.published_at != event.scheduled_for:
        return False
    announced = WebhookEvent.objects.filter(
        type=event.type, post_id=event.post_id, scheduled_for=event.scheduled_for, dispatched_at__isnull=False
    ).exclude(pk=event.pk)
    if announced.exclude(body="").exists():
        return False
    event.post_author_id = post.author_id
    event.post_public = True
    event.body = event_body(event.type, event.scheduled_for, post_data(post))
    event.save(update_fields=["post_author_id", "post_public", "body"])
    return True


def _deliveries_create(event: WebhookEvent, recipients: list[tuple[Webhook, bool]], now: datetime) -> list[Delivery]:
    from webhooks import tasks

    deliveries = []
    for webhook, brief in recipients:
        message_id = crypto.generate_message_id()
        job = tasks.deliver.enqueue(message_id)
        deliveries.append(
            Delivery(
                webhook=webhook,
                event=event,
                message_id=message_id,
                brief=brief,
                next_attempt_at=now,
                task_id=job.id,
                created_at=now,
            )
        )
    return Delivery.objects.bulk_create(deliveries)


# ---------------------------------------------------------------------------- attempts


def delivery_attempt(*, message_id: str, job_id: str | None = None) -> str:
    """Make the next attempt of the delivery ``message_id`` (its ``webhook-id``) if it is due and ``job_id`` is
    its current job (``Delivery.task_id``: one job at a time makes its attempts; a superseded one does nothing);
    record it, and queue the retry or settle the delivery. Returns the outcome (``succeeded``, ``retry``,
    ``failed``) or ``skipped`` (not due, finished, or not its current job).

    At-least-once: a worker that dies after sending and before recording leaves its job RUNNING; once that job
    started more than ``LEASE_SECONDS`` ago the upkeep queues a new one, which sends the same ``webhook-id``.
    """
    now = timezone.now()
    due = Delivery.objects.filter(message_id=message_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now)
    if job_id is not None:
        due = due.filter(task_id=job_id)
    delivery = next(iter(due.select_related("webhook__owner", "event")), None)
    if delivery is None:
        return "skipped"
    webhook, event = delivery.webhook, delivery.event
    if not webhook.enabled and event.type != webhook_events.PING:
        _settle_unsent(delivery, "Not sent: the webhook is disabled.")
        return DeliveryAttempt.Outcome.FAILED
    body = (event.brief_body if delivery.brief else event.body).encode()
    timestamp = int(time.time())
    attempted_at = timezone.now()
    headers = {
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": crypto.signature_header(_signing_keys(webhook), delivery.message_id, timestamp, body),
    }
    started = time.monotonic()
    status_code, excerpt, error, retry_after = None, b"", "", None
    try:
        response = transport.post(webhook.target_url, body, headers)
        status_code, excerpt = response.status, response.excerpt
        retry_after = _retry_after(response.headers.get("retry-after"), attempted_at) if status_code == 429 else None
        outcome = _outcome(status_code)
    except transport.Refused as exc:
        error, outcome = f"Refused: {exc}", DeliveryAttempt.Outcome.FAILED
    except TimeoutError as exc:
        error, outcome = f"Timeout: {exc}", DeliveryAttempt.Outcome.RETRY
    except (OSError, UnicodeError) as exc:
        error, outcome = f"Network error: {exc}", DeliveryAttempt.Outcome.RETRY
    duration_ms = int((time.monotonic() - started) * 1000)
    if status_code is not None and 300 <= status_code < 400:
        error = f"Redirect to {response.headers.get('location', '?')} not followed."
    return _record(
        delivery, attempted_at, status_code, duration_ms, outcome, error[:ERROR_MAX_LENGTH], excerpt, retry_after
    )


def _outcome(status_code: int) -> str:
    if 200 <= status_code < 300:
        return DeliveryAttempt.Outcome.SUCCEEDED
    if status_code == 429 or status_code >= 500:
        return DeliveryAttempt.Outcome.RETRY
    return DeliveryAttempt.Outcome.FAILED  # redirects (not followed), 410 Gone and other 4xx


def _retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds a ``Retry-After`` (seconds or an HTTP date) asks to wait; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - now).total_seconds(), 0.0) if when.tzinfo else None


def _signing_keys(webhook: Webhook) -> list[bytes]:
    """The current secret's key, then the previous one's while a rotation overlaps. A secret found under a
    fallback ``SECRET_KEY`` is re-encrypted under the current one."""
    secret, current = crypto.decrypt(webhook.secret_ciphertext)
    if not current:
        Webhook.objects.filter(pk=webhook.pk, secret_ciphertext=webhook.secret_ciphertext).update(
            secret_ciphertext=crypto.encrypt(secret)
        )
    keys = [crypto.signing_key(secret)]
    if webhook.previous_secret_active():
        previous, current = crypto.decrypt(webhook.previous_secret_ciphertext)
        if not current:
            Webhook.objects.filter(pk=webhook.pk, previous_secret_ciphertext=webhook.previous_secret_ciphertext).update(
                previous_secret_ciphertext=crypto.encrypt(previous)
            )
        keys.append(crypto.signing_key(previous))
    return keys


def _next_delay(retry_index: int, retry_after: float | None) -> float | None:
    """Seconds before the next attempt after ``retry_index`` failed ones, with jitter; None when the schedule is
    spent. A 429's Retry-After is honoured (never retried sooner), up to ``MAX_RETRY_AFTER``."""
    schedule = webhook_settings.RETRY_SCHEDULE
    if retry_index >= len(schedule):
        return None
    jitter = float(webhook_settings.JITTER)
    delay = schedule[retry_index] * (1 + random.uniform(-jitter, jitter))  # noqa: S311  (spreading, not secrecy)
    if retry_after is not None:
        delay = max(delay, min(retry_after, float(webhook_settings.MAX_RETRY_AFTER)))
    return delay


def _record(
    delivery: Delivery,
    attempted_at: datetime,
    status_code: int | None,
    duration_ms: int,
    outcome: str,
    error: str,
    excerpt: bytes,
    retry_after: float | None,
) -> str:
    """Store the attempt and settle or reschedule the delivery, in one transaction; returns the final outcome."""
    from webhooks import tasks

    webhook = delivery.webhook
    now = timezone.now()
    delay = _next_delay(delivery.retry_index, retry_after) if outcome == DeliveryAttempt.Outcome.RETRY else None
    if outcome == DeliveryAttempt.Outcome.RETRY and delay is None:
        outcome = DeliveryAttempt.Outcome.FAILED
        error = error or f"HTTP {status_code}"
        error = f"{error} Retries exhausted."[:ERROR_MAX_LENGTH]
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery,
            attempted_at=attempted_at,
            status_code=status_code,
            duration_ms=duration_ms,
            outcome=outcome,
            error=error,
            response_excerpt=excerpt.decode("utf-8", errors="replace"),
        )
        delivery.attempt_count += 1
        delivery.last_attempt_at = attempted_at
        delivery.last_status_code = status_code
        delivery.last_error = error
        if outcome == DeliveryAttempt.Outcome.RETRY:
            delivery.retry_index += 1
            delivery.next_attempt_at = now + timedelta(seconds=delay)
            delivery.task_id = tasks.deliver.using(run_after=delivery.next_attempt_at).enqueue(delivery.message_id).id
        else:
            delivery.status = (
                Delivery.Status.SUCCEEDED if outcome == DeliveryAttempt.Outcome.SUCCEEDED else Delivery.Status.FAILED
            )
            delivery.next_attempt_at = None
            delivery.finished_at = now
        delivery.save(
            update_fields=[
                "attempt_count",
                "last_attempt_at",
                "last_status_code",
                "last_error",
                "retry_index",
                "next_attempt_at",
                "task_id",
                "status",
                "finished_at",
            ]
        )
        _track_endpoint(webhook, outcome, status_code, now)
    return outcome


def _track_endpoint(webhook: Webhook, outcome: str, status_code: int | None, now: datetime) -> None:
    """Keep the endpoint's failure streak; 410 Gone disables it at once, failing for
    ``DISABLE_AFTER_FAILING_DAYS`` disables it and emails its owner."""
    if outcome == DeliveryAttempt.Outcome.SUCCEEDED:
        if webhook.failing_since is not None:
            Webhook.objects.filter(pk=webhook.pk).update(failing_since=None)
            webhook.failing_since = None
        return
    if status_code == 410:
        if _disable(webhook, Webhook.DisabledReason.GONE):
            audit.info("webhook.disabled", extra={"audit": _audit_fields(webhook, actor=None, ip=None, reason="gone")})
        return
    if webhook.failing_since is None:
        Webhook.objects.filter(pk=webhook.pk, failing_since__isnull=True).update(failing_since=now)
        webhook.failing_since = now
        return
    limit = timedelta(days=webhook_settings.DISABLE_AFTER_FAILING_DAYS)
    if webhook.failing_since <= now - limit and _disable(webhook, Webhook.DisabledReason.FAILING):
        audit.info("webhook.disabled", extra={"audit": _audit_fields(webhook, actor=None, ip=None, reason="failing")})
        transaction.on_commit(lambda: _notify_failing(webhook))


def _notify_failing(webhook: Webhook) -> None:
    owner = webhook.owner
    if not owner.email:
        return
    days = webhook_settings.DISABLE_AFTER_FAILING_DAYS
    send_mail(
        subject=f"PolyCMS disabled your webhook to {urlsplit(webhook.target_url).hostname}",
        message=(
            f"Every delivery to {webhook.target_url} (webhook {webhook.pk}) has failed for {days} days, so PolyCMS "
            "stopped sending to it. Its delivery log shows the answers it got. Once the endpoint works again, "
            "enable the webhook and redeliver what it missed."
        ),
        from_email=None,
        recipient_list=[owner.email],
        fail_silently=True,
    )


def _settle_unsent(delivery: Delivery, error: str) -> None:
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.FAILED, last_error=error, next_attempt_at=None, finished_at=now
    )


# ---------------------------------------------------------------------------- upkeep and pruning


def webhooks_upkeep() -> dict[str, int]:
    """What every worker does every ``UPKEEP_INTERVAL`` seconds (``manage.py worker``), safe to run anywhere and
    concurrently: queue again the deliveries due for longer than
    ``UPKEEP_GRACE`` whose job is neither queued nor running for less than ``LEASE_SECONDS`` (its worker died,
    or it failed); disable the webhooks of
    expired tokens; forget previous secrets past their overlap. Returns counts."""
    from django_tasks_db.models import DBTaskResult

    from webhooks import tasks

    now = timezone.now()
    counts = {"requeued": 0, "disabled": 0}
    grace = now - timedelta(seconds=webhook_settings.UPKEEP_GRACE)
    started_since = now - timedelta(seconds=webhook_settings.LEASE_SECONDS)
    alive = DBTaskResult.objects.filter(id=OuterRef("task_id")).filter(
        Q(status="READY") | Q(status="RUNNING", started_at__gt=started_since)
    )
    with transaction.atomic():
        lost = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=Delivery.Status.PENDING, next_attempt_at__lte=grace)
            .filter(~Exists(alive))
            .order_by("next_attempt_at")[:500]
        )
        for delivery in lost:
            delivery.task_id = tasks.deliver.enqueue(delivery.message_id).id
        Delivery.objects.bulk_update(lost, ["task_id"])
    counts["requeued"] = len(lost)
    if lost:
        logger.warning("webhooks.requeued", extra={"count": len(lost)})
    from tokens.models import PersonalAccessToken

    expired = PersonalAccessToken.objects.filter(expires_at__lte=now, webhooks__enabled=True).distinct()
    for token in expired:
        counts["disabled"] += webhooks_disable_for_token(token=token, reason=Webhook.DisabledReason.TOKEN_EXPIRED)
    Webhook.objects.filter(previous_secret_expires_at__lte=now).update(
        previous_secret_ciphertext="", previous_secret_expires_at=None
    )
    return counts


def webhooks_prune(*, older_than_days: int | None = None) -> dict[str, int]:
    """Delete attempts older than ``older_than_days`` (default ``RETENTION_DAYS``), deliveries finished before
    then, events dispatched before then that no delivery refers to, and the finished jobs of webhooks tasks
    before then. Returns counts."""
    from django_tasks_db.models import DBTaskResult

    days = webhook_settings.RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    attempts, _ = DeliveryAttempt.objects.filter(attempted_at__lt=cutoff).delete()
    deliveries, _ = Delivery.objects.filter(finished_at__lt=cutoff).exclude(status=Delivery.Status.PENDING).delete()
    events, _ = (
        WebhookEvent.objects.filter(dispatched_at__lt=cutoff)
        .filter(~Exists(Delivery.objects.filter(event=OuterRef("pk"))))
        .delete()
    )
    jobs, _ = DBTaskResult.objects.filter(
        task_path__startswith="webhooks.", status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=cutoff
    ).delete()
    counts = {"attempts": attempts, "deliveries": deliveries, "events": events, "jobs": jobs}
    audit.info("webhook.pruned", extra={"audit": {**counts, "older_than_days": days}})
    return counts


def _audit_fields(webhook: Webhook, *, actor, ip: str | None, **extra) -> dict:
    return {
        "webhook_id": webhook.pk,
        "owner_id": webhook.owner_id,
        # The host only: a REST hook's URL often carries a capability in its path (Zapier's do).
        "target_host": urlsplit(webhook.target_url).hostname,
        "actor_id": getattr(actor, "pk", None),
        "ip": ip,
        **extra,
    }
