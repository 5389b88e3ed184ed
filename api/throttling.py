"""Rate limits, counted in fixed windows in Django's cache: Redis when ``REDIS_URL`` is set, so every
gunicorn worker shares the counts. If the cache is down, limits *degrade open* (the request is served
and a warning is logged): an outage of the cache must not become an outage of the API.

- ``TokenRateThrottle``: per token, with separate budgets for reads and writes.
- ``UserRateThrottle``: per signed-in user: session reads, and every write whichever token or session
  makes it (more tokens do not buy more writes).
- ``AnonRateThrottle``: per client IP for anonymous callers.
- ``WindowCounter``: the counter under both, also used directly for failures (bad bearer tokens, bad
  passwords), which are checked *before* the expensive work so a scanner is refused quickly with 429.

Fixed windows cost one counter per client instead of DRF's list of timestamps that grows with the rate;
the price is that a client may spend two windows' budgets around a window boundary. On Redis, counting
is one round trip whatever the number of counters (a pipeline of ``SET NX EX`` and ``INCR`` per counter,
atomic), and so is a check (``MGET``), through one client object per cache: Django's cache API would
take three round trips per count (``add``, then ``incr``'s ``EXISTS`` and ``INCRBY``), and builds a new
client object for every call, which costs more than the round trip. Other caches count through the
API: ``incr``, and ``add`` when a window starts.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
import weakref

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from rest_framework import throttling
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings as drf_settings

from polycms.http import client_ip
from tokens.permissions import is_token_request

logger = logging.getLogger("polycms.api")


def _cache_unavailable(what: str, exc: Exception) -> None:
    logger.warning("rate limiting degraded open: cache unavailable during %s (%s)", what, type(exc).__name__)


class WindowCounter:
    """Events counted per identity (client IP, account, token…) in fixed windows of ``window`` seconds;
    ``limits`` maps ``(scope, identity)`` to the most events allowed, one identity per scope.

    ``hit()`` counts one event for every identity and says whether all are still within their limits;
    ``exceeded()`` only looks. Identities are hashed: they are user input of any length.
    """

    def __init__(self, namespace: str, *, window: int, limits: dict[tuple[str, str], int]) -> None:
        now = time.time()
        bucket = int(now // window)
        self.retry_after = (bucket + 1) * window - now
        self.keys = {scope: self._key(namespace, scope, ident, bucket) for scope, ident in limits}
        self.limits = {self.keys[scope]: limit for (scope, _ident), limit in limits.items()}

    @staticmethod
    def _key(namespace: str, scope: str, ident: str, bucket: int) -> str:
        digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
        return f"window:{namespace}:{scope}:{digest}:{bucket}"

    def exceeded(self) -> bool:
        try:
            counts = read_counts(list(self.limits))
        except Exception as exc:  # any cache client failure
            _cache_unavailable("a limit check", exc)
            return False
        return any(counts.get(key, 0) >= limit for key, limit in self.limits.items())

    def hit(self) -> bool:
        # A minute of grace beyond the window so a key cannot expire between its creation and its count.
        timeout = math.ceil(self.retry_after) + 60
        try:
            counts = increment(list(self.limits), timeout=timeout)
        except Exception as exc:
            _cache_unavailable("counting", exc)
            return True
        return all(counts[key] <= limit for key, limit in self.limits.items())

    def reset(self, *scopes: str) -> None:
        """Forget the counts of the identities in ``scopes`` (e.g. an account after a good sign-in)."""
        try:
            cache.delete_many([self.keys[scope] for scope in scopes if scope in self.keys])
        except Exception as exc:
            _cache_unavailable("a reset", exc)


_redis_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _redis_client(backend: RedisCache):
    """One redis-py client per Django Redis cache (over the cache's own connection pool), made once.

    Django's RedisCache has no pipeline, and its ``get_client()`` builds a new client object per call:
    so its client class's (private) ``get_client`` is called once, and the client kept."""
    handler = backend._cache
    client = _redis_clients.get(handler)
    if client is None:
        client = _redis_clients[handler] = handler.get_client(write=True)
    return client


def read_counts(keys: list[str]) -> dict[str, int]:
    """The counters in ``keys`` of the default cache that exist. On Redis, one round trip."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        values = _redis_client(backend).mget([backend.make_and_validate_key(key) for key in keys])
        return {key: int(value) for key, value in zip(keys, values, strict=True) if value is not None}
    return backend.get_many(keys)


def increment(keys: list[str], *, timeout: int) -> dict[str, int]:
    """Add one to each counter in ``keys`` of the default cache, creating a missing one to expire after
    ``timeout`` seconds; return the new counts. On Redis, one round trip for all of them."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        names = [backend.make_and_validate_key(key) for key in keys]
        pipeline = _redis_client(backend).pipeline(transaction=False)
        for name in names:
            pipeline.set(name, 0, ex=timeout, nx=True)  # an int is stored as-is: INCR and get() read it
            pipeline.incr(name)
        results = pipeline.execute()
        return {key: int(results[2 * i + 1]) for i, key in enumerate(keys)}
    counts = {}
    for key in keys:
        try:
            counts[key] = backend.incr(key)
        except ValueError:  # a new window
            counts[key] = 1 if backend.add(key, 1, timeout=timeout) else backend.incr(key)
    return counts


class FixedWindowRateThrottle(throttling.SimpleRateThrottle):
    """A DRF throttle on a ``WindowCounter``; subclasses name the scope and whom to count."""

    @property
    def THROTTLE_RATES(self) -> dict:
        return drf_settings.DEFAULT_THROTTLE_RATES

    def identity(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        identity = self.identity(request)
        if identity is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.get_rate())
        counter = WindowCounter(self.scope, window=self.duration, limits={("id", identity): self.num_requests})
        self.retry_after = counter.retry_after
        return counter.hit()

    def wait(self) -> float:
        return self.retry_after


class TokenRateThrottle(FixedWindowRateThrottle):
    """Per personal access token: scope ``token_read`` for safe methods, ``token_write`` otherwise."""

    scope = "token_read"

    def identity(self, request) -> str | None:
        if not is_token_request(request):
            return None
        self.scope = "token_read" if request.method in SAFE_METHODS else "token_write"
        return str(request.auth.pk)


class UserRateThrottle(FixedWindowRateThrottle):
    """Per user: scope ``user_write`` for every write, by session or by any of the user's tokens, and
    ``user_read`` for reads by session (a token's reads are counted per token)."""

    scope = "user_write"

    def identity(self, request) -> str | None:
        if not request.user.is_authenticated:
            return None
        if request.method in SAFE_METHODS:
            if is_token_request(request):
                return None
            self.scope = "user_read"
        else:
            self.scope = "user_write"
        return str(request.user.pk)


class AnonRateThrottle(FixedWindowRateThrottle):
    """Per client IP, for callers that are not signed in."""

    scope = "anon"

    def identity(self, request) -> str | None:
        return None if request.user.is_authenticated else (client_ip(request) or "unknown")
