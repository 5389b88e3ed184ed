"""``Authorization: Bearer <personal access token>``.

On success ``request.user`` is the token's owner (so every permission check is the owner's own) and
``request.auth`` is the ``PersonalAccessToken``. One query per request; none for a malformed token, nor
for a client IP over its failure limit, nor for credentials in another scheme; a write only when
``last_used_at`` is older than the configured interval, or once to re-key a token still digested under a
fallback ``SECRET_KEY``.
"""

from __future__ import annotations

import base64
import binascii
import logging

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication
from rest_framework.request import Request

from api.exceptions import AuthenticationFailed, RateLimited
from api.settings import api_settings
from api.throttling import TokenRateThrottle, WindowCounter, check_and_hit, count_ahead
from polycms.http import client_ip
from tokens import crypto, services
from tokens.models import PersonalAccessToken

audit = logging.getLogger("polycms.audit")

USE_BEARER = _("Send a personal access token as 'Authorization: Bearer <token>'.")


class TokenRejected(AuthenticationFailed):
    """401 ``authentication_failed`` whose ``details.reason`` says why: invalid, expired, revoked, inactive, or
    scheme (an Authorization header that is not ``Bearer <token>``)."""

    def __init__(self, detail: str, reason: str, token_id: int | None = None) -> None:
        super().__init__(detail, details={"reason": reason})
        self.token_id = token_id


class BearerFailures:
    """Failed bearer authentications from one client IP: ``BEARER_FAILURES_PER_IP`` per window of
    ``BEARER_FAILURE_WINDOW`` seconds, then every bearer request from that IP is 429 (by every worker
    within ``COUNT_CHECK_INTERVAL``, as each reuses a count it observed that recently: ``api.leases``)."""

    def __init__(self, ip: str | None) -> None:
        self.ip = ip
        self.counter = WindowCounter(
            "bearer",
            window=api_settings.BEARER_FAILURE_WINDOW,
            limits={("ip", ip or "unknown"): api_settings.BEARER_FAILURES_PER_IP},
            reuse_checks=True,
        )

    def refuse_if_over_limit(self, request: Request | None = None, *, counting: WindowCounter | None = None) -> None:
        """Checked before any database work, so scanners are refused cheaply. In the same round trip,
        ``request`` is counted on ``counting``, a throttle's counter (``count_ahead``)."""
        exceeded, within = check_and_hit(check=self.counter, hit=counting)
        if counting is not None:
            count_ahead(request, counting, within)
        if exceeded:
            raise RateLimited(
                wait=self.counter.retry_after,
                detail=str(_("Too many failed authentication attempts from your address.")),
            )

    def record(self, rejection: TokenRejected) -> None:
        """Count the failure and write the ``auth.bearer_failed`` audit line (never the token)."""
        self.counter.hit()
        audit.info(
            "auth.bearer_failed",
            extra={"audit": {"reason": rejection.details["reason"], "token_id": rejection.token_id, "ip": self.ip}},
        )


class PersonalAccessTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>`` (the scheme in any case). Any other Authorization header is refused
    (401, ``details.reason`` ``scheme``, saying how to send a token) rather than answered as anonymous: a
    client that sends credentials wants them used, and "no credentials" would send it looking elsewhere.
    One exception: a header that holds no token of ours, on a request signed in by session, is left to the
    session (a browser behind a proxy that asks for HTTP Basic sends the proxy's credentials everywhere).
    So an authenticator for another scheme must come before this one."""

    keyword = "Bearer"
    realm = "api"

    def authenticate(self, request: Request) -> tuple | None:
        header = authentication.get_authorization_header(request)
        parts = header.split()
        if not parts:
            return None  # no credentials: anonymous, or signed in by session
        if parts[0].lower() != self.keyword.lower().encode():
            return self._other_scheme(request, header)
        ip = client_ip(request)
        failures = BearerFailures(ip)
        try:
            plaintext = self._plaintext(parts)
        except TokenRejected as rejection:
            failures.refuse_if_over_limit()
            failures.record(rejection)
            raise
        # The token's rate is counted with the failure check, in one round trip to the cache when one is due
        # (api.leases); it is keyed by the digest, which identifies the token before the database is asked.
        rate = TokenRateThrottle.counter_for(request.method, crypto.digest(plaintext))
        failures.refuse_if_over_limit(request, counting=rate)
        try:
            token = self.authenticate_credentials(plaintext)
        except TokenRejected as rejection:
            failures.record(rejection)
            raise
        services.token_record_use(token=token, ip=ip)
        return token.owner, token

    @staticmethod
    def _other_scheme(request: Request, header: bytes) -> None:
        """None to let a signed-in session authenticate; otherwise ``TokenRejected`` with reason ``scheme``."""
        if not _holds_a_token(header):
            session_user = getattr(request._request, "user", None)
            if session_user is not None and session_user.is_authenticated:
                return None
        # Not counted in BearerFailures and not audited: nothing is looked up, so a wrong scheme costs no
        # database work and tells a guesser nothing; it is a client bug, and counting a misconfigured
        # integration's retries would lock every client behind the same address out of bearer tokens.
        raise TokenRejected(f"{_('Unsupported Authorization header.')} {USE_BEARER}", "scheme")

    @staticmethod
    def _plaintext(parts: list[bytes]) -> str:
        """The well-formed token in the header's ``parts``; ``TokenRejected`` before any I/O otherwise."""
        if len(parts) != 2:
            raise TokenRejected(f"{_('Invalid Authorization header.')} {USE_BEARER}", "invalid")
        try:
            plaintext = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise TokenRejected(_("Invalid token."), "invalid") from None
        if not crypto.is_well_formed(plaintext):
            raise TokenRejected(_("Invalid token."), "invalid")
        return plaintext

    def authenticate_credentials(self, plaintext: str) -> PersonalAccessToken:
        """The usable token for ``plaintext``; ``TokenRejected`` saying why it is not usable. A token found
        under a fallback ``SECRET_KEY`` is re-keyed, usable or not, so it keeps its state when the key goes."""
        if not crypto.is_well_formed(plaintext):
            raise TokenRejected(_("Invalid token."), "invalid")
        token = services.token_lookup(plaintext)
        if token is None:
            raise TokenRejected(_("Invalid token."), "invalid")
        services.token_rekey(token=token, plaintext=plaintext)
        if token.is_revoked():
            raise TokenRejected(_("This token has been revoked."), "revoked", token.pk)
        if token.is_expired():
            raise TokenRejected(_("This token has expired."), "expired", token.pk)
        if not token.owner.is_active:
            raise TokenRejected(_("The token's owner is inactive."), "inactive", token.pk)
        return token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="{self.realm}"'


def _holds_a_token(header: bytes) -> bool:
    """Whether ``header`` holds something shaped like one of our tokens: anywhere in it, or in the
    base64 ``user:password`` of Basic credentials (where some integration tools put API keys)."""
    prefix = crypto.PREFIX.encode()
    if prefix in header:
        return True
    scheme, _space, credentials = header.partition(b" ")
    if scheme.lower() != b"basic":
        return False
    try:
        return prefix in base64.b64decode(credentials.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
