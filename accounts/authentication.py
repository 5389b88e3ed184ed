"""Session authentication for the API: Django's session, with CSRF enforced."""

from __future__ import annotations

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from api.exceptions import CsrfFailed

# The usual cause of a missing or wrong token after sign-in: login rotates it (accounts.views.LoginView).
CURRENT_TOKEN_HINT = (
    "Send the current CSRF token in the X-CSRFToken header. It rotates when you sign in: after "
    "POST /api/v1/auth/login use the X-CSRFToken header of that response, or fetch a fresh one with "
    "GET /api/v1/auth/csrf."
)


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication; a CSRF failure is 403 ``csrf_failed`` with Django's reason, and, when the
    token is missing or wrong, where to read the current one."""

    def enforce_csrf(self, request: Request) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as exc:
            message = str(exc.detail)
            # Django's reasons about the token itself start so ("CSRF token missing.", "CSRF token from the
            # 'X-Csrftoken' HTTP header incorrect."); those about the cookie, Origin or Referer do not.
            if message.startswith("CSRF Failed: CSRF token"):
                message = f"{message} {CURRENT_TOKEN_HINT}"
            raise CsrfFailed(message) from None
