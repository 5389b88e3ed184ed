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
and checking are one round trip whatever the number of counters (``GET`` per counter checked, ``SET NX EX``
and ``INCRBY`` per counter hit, pipelined on a connection kept per thread): Django's cache API would take
three round trips per count (``add``, then ``incr``'s ``EXISTS`` and ``INCRBY``). Other caches count
through the API: ``incr``, and ``add`` when a window starts.

Most requests make no round trip at all (``api.leases``): a throttle's counter is counted in leases of
up to ``RATE_LEASE_MAX`` requests that a worker then spends locally, and the bearer failure count a
worker read or wrote less than ``COUNT_CHECK_INTERVAL`` seconds ago is reused. When one is due, a bearer
request makes one round trip in all: the authentication class checks the client IP's failed
authentications and counts the token's rate in the same pipeline (``check_and_hit``, ``count_ahead``),
and ``TokenRateThrottle`` then uses that count.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import threading
import time

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework import throttling
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings as drf_settings

from api import leases
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

    ``leased``: counted in leases (``api.leases``), for rates; a failure count stays exact. ``reuse_checks``:
    ``exceeded()`` may answer from a count observed within ``COUNT_CHECK_INTERVAL`` seconds.
    """

    def __init__(
        self,
        namespace: str,
        *,
        window: int,
        limits: dict[tuple[str, str], int],
        leased: bool = False,
        reuse_checks: bool = False,
    ) -> None:
        now = time.time()
        bucket = int(now // window)
        self.retry_after = (bucket + 1) * window - now
        self.leased = leased
        self.reuse_checks = reuse_checks
        self.keys = {scope: self._key(namespace, scope, ident, bucket) for scope, ident in limits}
        self.limits = {self.keys[scope]: limit for (scope, _ident), limit in limits.items()}

    @staticmethod
    def _key(namespace: str, scope: str, ident: str, bucket: int) -> str:
        digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
        return f"window:{namespace}:{scope}:{digest}:{bucket}"

    @property
    def timeout(self) -> int:
        # A minute of grace beyond the window so a key cannot expire between its creation and its count.
        return math.ceil(self.retry_after) + 60

    def exceeded(self) -> bool:
        return check_and_hit(check=self)[0]

    def hit(self) -> bool:
        return check_and_hit(hit=self)[1]

    def reset(self, *scopes: str) -> None:
        """Forget the counts of the identities in ``scopes`` (e.g. an account after a good sign-in)."""
        keys = [self.keys[scope] for scope in scopes if scope in self.keys]
        leases.forget(keys)
        try:
            cache.delete_many(keys)
        except Exception as exc:
            _cache_unavailable("a reset", exc)


def check_and_hit(*, check: WindowCounter | None = None, hit: WindowCounter | None = None) -> tuple[bool, bool]:
    """``(check.exceeded(), hit.hit())`` in at most one cache round trip (either may be None: then False,
    True); none when ``check``'s counts were observed recently enough and ``hit``'s leases cover it
    (``api.leases``). If the cache is down, neither limit applies (degrade open)."""
    known = leases.observed(list(check.limits)) if check is not None and check.reuse_checks else None
    read = list(check.limits) if check is not None and known is None else []
    add = {}  # counter key -> units to add to the shared count
    for key, limit in hit.limits.items() if hit is not None else ():
        if not hit.leased:
            add[key] = 1
        elif not leases.spend(key, limit):
            add[key] = leases.lease_size(key, limit)
    counts = dict(known or {})
    if read or add:
        try:
            counts.update(tally(add=add, read=read, timeout=hit.timeout if hit else 0))
        except Exception as exc:  # any cache client failure
            _cache_unavailable("counting" if hit else "a limit check", exc)
            return False, True
        # Only counts something will check again: a failure counter's (read, or answered by its increment).
        observing = [*read, *(add if hit is not None and hit.reuse_checks else ())]
        if observing:
            leases.observe({key: counts.get(key, 0) for key in observing})
    exceeded = check is not None and any(counts.get(key, 0) >= limit for key, limit in check.limits.items())
    within = True
    for key, added in add.items():
        limit = hit.limits[key]
        if hit.leased:
            within &= leases.grant(key, limit=limit, added=added, total=counts[key])
        else:
            within &= counts[key] <= limit
    return exceeded, within


class _CounterConnection(threading.local):
    """Per thread, a connection taken from the Redis cache's own pool and kept, on which ``tally`` sends its
    commands pipelined. redis-py's pipeline object, and taking a connection from the pool and giving it
    back, cost twice what the round trip itself costs in CPU (measured: ~135 µs against ~60 µs per count),
    and a count happens on every request. Kept per process too: a forked child takes its own."""

    def __init__(self) -> None:
        self.owner: tuple[int, object] | None = None
        self.connection = None

    def get(self, backend: RedisCache):
        owner = (os.getpid(), backend._cache)
        if self.owner != owner:
            self.connection = backend._cache.get_client(write=True).connection_pool.make_connection()
            self.owner = owner
        return self.connection

    def drop(self) -> None:
        """After a failure: the connection's state is unknown, so it is closed and the next count opens one."""
        if self.connection is not None:
            self.connection.disconnect()
        self.owner = self.connection = None


_counter_connection = _CounterConnection()


def _send(connection, commands: list[tuple]) -> list:
    try:
        connection.send_packed_command(connection.pack_commands(commands))
        return [connection.read_response() for _command in commands]
    except BaseException:
        _counter_connection.drop()
        raise


def tally(*, add: dict[str, int], read: list[str], timeout: int) -> dict[str, int]:
    """Add to each counter in ``add`` of the default cache its amount, creating a missing one to expire after
    ``timeout`` seconds, and read the counters in ``read``; return the counts of those that exist. On
    Redis, one round trip for all of them."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        commands = [("GET", backend.make_and_validate_key(key)) for key in read]
        for key, amount in add.items():
            name = backend.make_and_validate_key(key)
            # An int is stored as-is, so INCRBY and the cache's get() both read it.
            commands += [("SET", name, 0, "EX", timeout, "NX"), ("INCRBY", name, amount)]
        try:
            results = _send(_counter_connection.get(backend), commands)
        except (RedisConnectionError, RedisTimeoutError):
            # A kept connection the server has closed (a restart, a timeout), dropped by _send: once more, on a
            # new one.
            results = _send(_counter_connection.get(backend), commands)
        counts = {key: int(value) for key, value in zip(read, results, strict=False) if value is not None}
        counts.update((key, int(results[len(read) + 2 * i + 1])) for i, key in enumerate(add))
        return counts
    counts = backend.get_many(read) if read else {}
    for key, amount in add.items():
        try:
            counts[key] = backend.incr(key, amount)
        except ValueError:  # a new window
            counts[key] = amount if backend.add(key, amount, timeout=timeout) else backend.incr(key, amount)
    return counts


def count_ahead(request, counter: WindowCounter, within: bool) -> None:
    """Record that this request was already counted on ``counter`` (``within``: whether it stayed within
    the limit), so the throttle that owns the counter uses that instead of counting again. An
    authentication class that must look at the cache anyway counts the request's rate in the same round
    trip (``check_and_hit``)."""
    _http_request(request).__dict__.setdefault("_counted_ahead", {})[tuple(counter.limits)] = within


def _counted_ahead(request, counter: WindowCounter) -> bool | None:
    return _http_request(request).__dict__.get("_counted_ahead", {}).pop(tuple(counter.limits), None)


def _http_request(request):
    # Kept on Django's request: DRF's Request wraps it, and a view's request is a new wrapper.
    return getattr(request, "_request", request)


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
        counter = self.counter(identity, method=request.method)
        self.retry_after = counter.retry_after
        within = _counted_ahead(request, counter)
        return counter.hit() if within is None else within

    def counter(self, identity: str, *, method: str) -> WindowCounter:
        """The window counter of ``identity`` in the current scope. Reads, the busy path, are counted in
        leases (``api.leases``); writes one by one."""
        self.num_requests, self.duration = self.parse_rate(self.get_rate())
        return WindowCounter(
            self.scope,
            window=self.duration,
            limits={("id", identity): self.num_requests},
            leased=method in SAFE_METHODS,
        )

    def wait(self) -> float:
        return self.retry_after


class TokenRateThrottle(FixedWindowRateThrottle):
    """Per personal access token (its digest): scope ``token_read`` for safe methods, ``token_write``
    otherwise. The authentication class counts a request ahead, in the round trip of its own check
    (``counter_for``, ``count_ahead``)."""

    scope = "token_read"

    def identity(self, request) -> str | None:
        if not is_token_request(request):
            return None
        self.scope = self._scope(request.method)
        return request.auth.digest

    @classmethod
    def counter_for(cls, method: str, digest: str) -> WindowCounter:
        """The counter a request with ``method`` by the token whose digest is ``digest`` is counted on."""
        throttle = cls()
        throttle.scope = cls._scope(method)
        return throttle.counter(digest, method=method)

    @staticmethod
    def _scope(method: str) -> str:
        return "token_read" if method in SAFE_METHODS else "token_write"


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
