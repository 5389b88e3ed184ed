"""Event types a webhook may subscribe to. ``*`` subscribes to all of them (``ping`` is always delivered to the
webhook it tests, whatever it subscribes to)."""

from __future__ import annotations

from collections.abc import Iterable

ALL = "*"
POST_CREATED = "post.created"
POST_UPDATED = "post.updated"
POST_PUBLISHED = "post.published"
POST_UNPUBLISHED = "post.unpublished"
POST_DELETED = "post.deleted"
PING = "ping"

EVENTS: dict[str, str] = {
    POST_CREATED: "A post was created (delivered to owners who may read it: a draft only to its author and editors).",
    POST_UPDATED: "A post was changed.",
    POST_PUBLISHED: "A post became visible to the public: published now, or its scheduled published_at arrived.",
    POST_UNPUBLISHED: "A live post stopped being visible to the public (status changed, or rescheduled).",
    POST_DELETED: "A post was deleted; data has only its id and slug.",
    PING: "A test event (POST /api/v1/hooks/{id}/ping).",
}
SUBSCRIBABLE = [ALL, *EVENTS]


def normalize(events: Iterable[str]) -> list[str]:
    """Sorted, de-duplicated; ``*`` absorbs everything else. ValueError on an unknown type or none."""
    wanted = {event.strip() for event in events if event and event.strip()}
    unknown = sorted(wanted - set(SUBSCRIBABLE))
    if unknown:
        raise ValueError(f"Unknown events: {', '.join(unknown)}. Known: {', '.join(SUBSCRIBABLE)}.")
    if not wanted:
        raise ValueError("Subscribe to at least one event.")
    return [ALL] if ALL in wanted else sorted(wanted)


def subscribed(events: Iterable[str], event_type: str) -> bool:
    held = set(events)
    return ALL in held or event_type in held
