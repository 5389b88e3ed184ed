"""Request helpers shared by the apps."""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle

_ident = BaseThrottle()


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address as DRF's throttles see it (REMOTE_ADDR, or X-Forwarded-For behind
    ``NUM_PROXIES`` trusted proxies); None if it cannot be told. Never raises."""
    return _ident.get_ident(request) or None
