"""Rate limits. Counters live in Django's cache: Redis when ``REDIS_URL`` is set, so every gunicorn
worker shares them. If the cache is down, limits *degrade open* (the request is served and a warning
is logged): an outage of the cache must not become an outage of the API.

- ``TokenRateThrottle``: per token, with separate budgets for reads and writes.
- ``AnonRateThrottle``: per client IP for anonymous callers.
- ``FailureCounter``: failures (bad bearer tokens, bad passwords) per identity in fixed windows,
  checked *before* the expensive work so a scanner is refused quickly with 429.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

from django.core.cache import cache
from rest_framework import throttling
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings as drf_settings

from tokens.permissions import is_token_request

logger = logging.getLogger("polycms.api")


def _cache_unavailable(what: str, exc: Exception) -> None:
    logger.warning("rate limiting degraded open: cache unavailable during %s (%s)", what, type(exc).__name__)


class DegradeOpenMixin:
    @property
    def THROTTLE_RATES(self) -> dict:
        return drf_settings.DEFAULT_THROTTLE_RATES

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception as exc:  # any cache client failure
            _cache_unavailable(type(self).__name__, exc)
            return True


class TokenRateThrottle(DegradeOpenMixin, throttling.SimpleRateThrottle):
    """Per personal access token: scope ``token_read`` for safe methods, ``token_write`` otherwise."""

    scope = "token_read"

    def allow_request(self, request, view) -> bool:
        if not is_token_request(request):
            return True
        self.scope = "token_read" if request.method in SAFE_METHODS else "token_write"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class AnonRateThrottle(DegradeOpenMixin, throttling.AnonRateThrottle):
    """Per client IP, for callers that are not signed in."""


class FailureCounter:
    """Failures counted per identity (e.g. client IP, account) in fixed windows of ``window`` seconds.

    ``exceeded()`` is true once any identity reached its limit in the current window; ``record()``
    adds one failure to each. ``cache.add`` + ``cache.incr`` are atomic on Redis, so concurrent
    workers never lose a count. Identities are hashed: they are user input of any length.
    """

    def __init__(self, namespace: str, *, window: int, limits: dict[tuple[str, str], int]) -> None:
        now = time.time()
        bucket = int(now // window)
        self.retry_after = (bucket + 1) * window - now
        self.limits = {self._key(namespace, scope, ident, bucket): limit for (scope, ident), limit in limits.items()}

    @staticmethod
    def _key(namespace: str, scope: str, ident: str, bucket: int) -> str:
        digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
        return f"failures:{namespace}:{scope}:{digest}:{bucket}"

    def exceeded(self) -> bool:
        try:
            counts = cache.get_many(list(self.limits))
        except Exception as exc:
            _cache_unavailable("failure check", exc)
            return False
        return any(counts.get(key, 0) >= limit for key, limit in self.limits.items())

    def record(self) -> None:
        # A minute of grace beyond the window so a key cannot expire between add and incr.
        timeout = math.ceil(self.retry_after) + 60
        try:
            for key in self.limits:
                cache.add(key, 0, timeout=timeout)
                cache.incr(key)
        except Exception as exc:
            _cache_unavailable("failure count", exc)

    def reset(self, index: int = 0) -> None:
        """Forget the failures of the ``index``-th identity (e.g. an account after a good sign-in)."""
        try:
            cache.delete(list(self.limits)[index])
        except Exception as exc:
            _cache_unavailable("failure reset", exc)
