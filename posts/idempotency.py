"""``Idempotency-Key`` support: a client retrying a POST after a timeout gets the first response
again instead of a duplicate.

Same key + same body within ``TTL`` → the stored first response; same key + a different body →
``IdempotencyKeyReused``. The key is claimed by inserting its record in the same transaction as the
work, so a concurrent duplicate waits on the unique index and then replays the committed result; a
request that fails (validation, permission) rolls back and leaves the key unused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from posts.models import IdempotencyRecord

TTL = timedelta(hours=24)
KEY_MAX_LENGTH = 255


class IdempotencyKeyReused(Exception):
    """The key was already used with a different request body."""


@dataclass
class StoredResponse:
    status_code: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    replayed: bool = False


def fingerprint(data: Any) -> str:
    """SHA-256 of the request body's canonical JSON (key order and whitespace don't matter)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def run_once(*, user, key: str, request_fingerprint: str, action: Callable[[], StoredResponse]) -> StoredResponse:
    """Run ``action`` at most once per ``(user, key)`` within ``TTL``; replay its response afterwards."""
    with transaction.atomic():
        IdempotencyRecord.objects.filter(user=user, key=key, created_at__lt=timezone.now() - TTL).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(user=user, key=key, fingerprint=request_fingerprint)
        except IntegrityError:
            existing = IdempotencyRecord.objects.get(user=user, key=key)
            if existing.fingerprint != request_fingerprint:
                raise IdempotencyKeyReused from None
            return StoredResponse(existing.status_code, existing.body, existing.headers, replayed=True)
        response = action()
        record.status_code, record.body, record.headers = response.status_code, response.body, response.headers
        record.save(update_fields=["status_code", "body", "headers"])
        return response


def prune_expired() -> int:
    """Delete records older than ``TTL``; returns how many."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - TTL).delete()
    return deleted
