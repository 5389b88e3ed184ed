"""Session authentication for the API: Django's session, with CSRF enforced."""

from __future__ import annotations

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from api.exceptions import CsrfFailed


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication; a CSRF failure is 403 ``csrf_failed`` with the reason."""

    def enforce_csrf(self, request: Request) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as exc:
            raise CsrfFailed(str(exc.detail)) from None
