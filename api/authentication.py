"""How API requests authenticate.

``PersonalAccessTokenAuthentication``: ``Authorization: Bearer <pat>``. On success ``request.user`` is
the token's owner (so every permission check is the owner's own) and ``request.auth`` is the
``PersonalAccessToken``. One query per request; none for a malformed token; a write only when
``last_used_at`` is older than the configured interval.

``SessionAuthentication``: Django's session, with CSRF enforced, failing as ``csrf_failed``.
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from api.settings import api_settings
from api.throttling import WindowCounter
from polycms.http import client_ip
from tokens import crypto, services

audit = logging.getLogger("polycms.audit")


class TokenRejected(exceptions.AuthenticationFailed):
    """401 ``authentication_failed`` whose ``details.reason`` says why: invalid, expired, revoked, inactive."""

    def __init__(self, detail: str, reason: str, token_id: int | None = None) -> None:
        super().__init__(detail)
        self.details = {"reason": reason}
        self.token_id = token_id


class PersonalAccessTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"
    realm = "api"

    def authenticate(self, request: Request) -> tuple | None:
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None  # not ours: let the other authenticators try
        ip = client_ip(request)
        failures = WindowCounter(
            "bearer",
            window=api_settings.BEARER_FAILURE_WINDOW,
            limits={("ip", ip or "unknown"): api_settings.BEARER_FAILURES_PER_IP},
        )
        if failures.exceeded():  # checked before any database work: scanners are refused cheaply
            raise exceptions.Throttled(
                wait=failures.retry_after, detail=str(_("Too many failed authentication attempts from your address."))
            )
        try:
            return self._authenticate_header_parts(parts, ip)
        except TokenRejected as exc:
            failures.hit()
            audit.info(
                "auth.bearer_failed",
                extra={"audit": {"reason": exc.details["reason"], "token_id": exc.token_id, "ip": ip}},
            )
            raise

    def _authenticate_header_parts(self, parts: list[bytes], ip: str | None) -> tuple:
        if len(parts) != 2:
            raise TokenRejected(_("Invalid Authorization header: expected 'Bearer <token>'."), "invalid")
        try:
            plaintext = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise TokenRejected(_("Invalid token."), "invalid") from None
        return self.authenticate_credentials(plaintext, ip)

    def authenticate_credentials(self, plaintext: str, ip: str | None) -> tuple:
        if not crypto.is_well_formed(plaintext):
            raise TokenRejected(_("Invalid token."), "invalid")
        token = services.token_lookup(plaintext)
        if token is None:
            raise TokenRejected(_("Invalid token."), "invalid")
        if token.is_revoked():
            raise TokenRejected(_("This token has been revoked."), "revoked", token.pk)
        if token.is_expired():
            raise TokenRejected(_("This token has expired."), "expired", token.pk)
        if not token.owner.is_active:
            raise TokenRejected(_("The token's owner is inactive."), "inactive", token.pk)
        services.token_record_use(token=token, ip=ip)
        return token.owner, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="{self.realm}"'


class CsrfFailed(exceptions.PermissionDenied):
    default_code = "csrf_failed"


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication; a CSRF failure is 403 ``csrf_failed`` with the reason."""

    def enforce_csrf(self, request: Request) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as exc:
            raise CsrfFailed(str(exc.detail), code="csrf_failed") from None
