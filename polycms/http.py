"""Request helpers shared by the apps."""

from __future__ import annotations

import functools
import ipaddress

from django.http import HttpRequest
from rest_framework.settings import api_settings as drf_settings

_CACHE_ATTRIBUTE = "_polycms_client_ip"


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address: the one address that throttles, sign-in limits, audit lines and a
    token's ``last_used_ip`` all use. Never raises.

    With no trusted proxy (``DJANGO_NUM_PROXIES=0``, the default) it is ``REMOTE_ADDR`` and
    ``X-Forwarded-For`` is ignored: anyone can send that header. Behind N trusted proxies it is the Nth
    address from the right of ``X-Forwarded-For`` (each proxy appends the address it received the
    request from, so what the client wrote itself is further left and never reached). A value that is
    not an IP address falls back to ``REMOTE_ADDR``. The result is a normalised address
    (``2001:db8::1``, not ``[2001:DB8:0::1]:443``), or None when even ``REMOTE_ADDR`` is not one
    (e.g. a Unix socket).
    """
    http_request = getattr(request, "_request", request)  # DRF's Request wraps Django's
    try:
        return getattr(http_request, _CACHE_ATTRIBUTE)
    except AttributeError:
        ip = _client_ip(http_request.META, drf_settings.NUM_PROXIES or 0)
        setattr(http_request, _CACHE_ATTRIBUTE, ip)
        return ip


def _client_ip(meta: dict, num_proxies: int) -> str | None:
    remote_addr = parse_ip(meta.get("REMOTE_ADDR"))
    if num_proxies <= 0:
        return remote_addr
    forwarded = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [hop for hop in forwarded if hop]
    if not forwarded:
        return remote_addr
    # Fewer hops than proxies: every hop was appended by a trusted proxy, the leftmost is the client.
    hop = forwarded[-min(num_proxies, len(forwarded))]
    return parse_ip(hop) or remote_addr


def parse_ip(value: str | None) -> str | None:
    """``value`` as a normalised IP address, or None. Accepts what proxies write: ``1.2.3.4``,
    ``1.2.3.4:5678``, ``2001:db8::1``, ``[2001:db8::1]`` and ``[2001:db8::1]:443``."""
    if not value or len(value) > 64:
        return None
    return _parse_ip(value)


@functools.lru_cache(maxsize=1024)
def _parse_ip(value: str) -> str | None:
    # Cached: the same few addresses (a proxy's, a busy client's) arrive on most requests, and parsing
    # one cost about 2% of a bearer request's CPU. Bounded, and keyed by at most 64 characters.
    value = value.strip()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:  # IPv4 with a port; a bare IPv6 address has at least two colons
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    # A zone ("fe80::1%eth0") names an interface of the proxy, not a client; nothing stores it.
    return None if getattr(address, "scope_id", None) else str(address)
