"""Who is calling: the client IP as DRF's throttles see it (honours ``NUM_PROXIES``)."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

_ident = BaseThrottle()


def client_ip(request: Request) -> str | None:
    """The client's IP address, or None if it cannot be told (never raises)."""
    return _ident.get_ident(request) or None
