"""The transactional outbox for post events: ``posts.services`` calls ``record_post_change`` inside the transaction
that creates, changes or deletes a post, so an event row exists exactly when the change commits (a rolled-back
change leaves none). Every worker's relay (``manage.py worker``) looks for events whose time has come every
``DISPATCH_INTERVAL`` second and dispatches them (``services.events_dispatch``).

Cost on the write path: one query (``EXISTS`` an enabled webhook) when no webhook is enabled and nothing is
scheduled; otherwise one more, the INSERT of the events.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from rest_framework.utils.encoders import JSONEncoder

from webhooks import events as webhook_events
from webhooks.models import Webhook, WebhookEvent

if TYPE_CHECKING:
    from posts.models import Post

PUBLISHED = "published"


@dataclass(frozen=True)
class PostState:
    """What the events of a change need to know about a post as it was before the change."""

    id: int
    slug: str
    author_id: int
    status: str
    published_at: datetime | None

    def is_live(self, now: datetime) -> bool:
        return self.status == PUBLISHED and self.published_at is not None and self.published_at <= now

    def is_scheduled(self, now: datetime) -> bool:
        return self.status == PUBLISHED and self.published_at is not None and self.published_at > now


def post_state(post: Post) -> PostState:
    """``post`` as it is now (call it before changing the post)."""
    return PostState(post.pk, post.slug, post.author_id, post.status, post.published_at)


def event_body(event_type: str, timestamp: datetime, data: dict[str, Any]) -> str:
    """The JSON every delivery of an event sends and signs, serialised once: ``{"type", "timestamp", "data"}``,
    compact, UTF-8, date-times as the API writes them (ISO 8601, ``Z``)."""
    document = {"type": event_type, "timestamp": _iso(timestamp), "data": data}
    return json.dumps(document, cls=JSONEncoder, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _iso(value: datetime) -> str:
    text = value.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def post_data(post: Post) -> dict[str, Any]:
    """The post exactly as ``GET /api/v1/posts/{id}`` returns it (inside ``data``), by the representation that
    answer is made with (a ``PostSerializer`` costs an event several times more CPU)."""
    from posts.serializers import FIELDS, post_representation  # it imports posts.services, which imports us

    return post_representation(frozenset(FIELDS)).from_post(post)


def brief_data(state: PostState) -> dict[str, Any]:
    """What ``post.deleted`` (and ``post.unpublished``, to those who could read the post only while it was live)
    says of a post: its id and slug."""
    return {"id": state.id, "slug": state.slug}


def change_events(before: PostState | None, after: PostState | None, now: datetime) -> list[tuple[str, datetime]]:
    """The events of a change, each with the time it becomes available (``now``, or a scheduled publication's
    ``published_at``)."""
    if after is None:
        return [(webhook_events.POST_DELETED, now)]
    found = [(webhook_events.POST_CREATED if before is None else webhook_events.POST_UPDATED, now)]
    was_live = before is not None and before.is_live(now)
    if after.is_live(now) and not was_live:
        found.append((webhook_events.POST_PUBLISHED, now))
    if was_live and not after.is_live(now):
        found.append((webhook_events.POST_UNPUBLISHED, now))
    newly_scheduled = before is None or (before.status, before.published_at) != (after.status, after.published_at)
    if after.is_scheduled(now) and newly_scheduled:
        found.append((webhook_events.POST_PUBLISHED, after.published_at))
    return found


def record_post_change(*, before: PostState | None, after: Post | None) -> list[WebhookEvent]:
    """Write the events of one change to a post: ``before`` is ``post_state()`` taken before the change (None for
    a creation), ``after`` the saved post (None for a deletion). Call it inside the change's transaction, after
    the write. Returns the events written (none when no webhook is enabled and nothing is scheduled).

    ``post.created`` / ``post.updated``, ``post.published`` when the post becomes live, ``post.unpublished`` when
    a live post stops being live, ``post.deleted``; a publication scheduled for later is written now and becomes
    available at its ``published_at`` (dispatched then, with the post as it is then, if it is still scheduled for
    that time).
    """
    now = timezone.now()
    after_state = post_state(after) if after is not None else None
    found = change_events(before, after_state, now)
    immediate = [(event_type, at) for event_type, at in found if at <= now]
    scheduled = [(event_type, at) for event_type, at in found if at > now]
    # Every change has an immediate event, so this is the one query a change costs when nobody listens. A
    # scheduled publication is written even then: a webhook created before it comes out must get it.
    listened = Webhook.objects.enabled().exists()
    if not listened and not scheduled:
        return []
    rows = []
    if listened:
        data = post_data(after) if after is not None else None
        for event_type, _ in immediate:
            rows.append(_immediate_event(event_type, before, after_state, data, now))
    rows += [
        WebhookEvent(
            type=event_type,
            post_id=after_state.id,
            post_author_id=after_state.author_id,
            post_public=True,
            scheduled_for=at,
            occurred_at=now,
            available_at=at,
        )
        for event_type, at in scheduled
    ]
    if not rows:
        return []
    return WebhookEvent.objects.bulk_create(rows)


def _immediate_event(
    event_type: str, before: PostState | None, after: PostState | None, data: dict | None, now: datetime
) -> WebhookEvent:
    if event_type == webhook_events.POST_DELETED:
        return WebhookEvent(
            type=event_type,
            post_id=before.id,
            post_author_id=before.author_id,
            post_public=before.is_live(now),
            body=event_body(event_type, now, brief_data(before)),
            occurred_at=now,
            available_at=now,
        )
    event = WebhookEvent(
        type=event_type,
        post_id=after.id,
        post_author_id=after.author_id,
        post_public=after.is_live(now),
        body=event_body(event_type, now, data),
        occurred_at=now,
        available_at=now,
    )
    if event_type == webhook_events.POST_UNPUBLISHED:
        # Readers who saw it only while it was live learn that it is gone, and nothing of it as it is now.
        event.brief_body = event_body(event_type, now, brief_data(after))
    return event
