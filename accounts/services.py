"""Password sign-in with failure limits and audit lines: one service for the API's ``/auth/login`` and
the Django admin's login page (limits in ``POLYCMS_API``: ``LOGIN_FAILURES_PER_USERNAME``,
``LOGIN_FAILURES_PER_IP``, ``LOGIN_FAILURE_WINDOW``).

Failures are counted in fixed windows of ``LOGIN_FAILURE_WINDOW`` seconds, three ways:

- per **identifier as typed** (username or email, case-folded): past ``LOGIN_FAILURES_PER_USERNAME``
  the identifier is *locked*: 429 with ``Retry-After``, before any database work;
- per **client IP**: past ``LOGIN_FAILURES_PER_IP`` the address is locked the same way;
- per **account** (whichever identifier named it): past ``LOGIN_FAILURES_PER_USERNAME`` every attempt
  on the account fails like a wrong password, the right password included.

Why the account lock is silent: a lock that answered 429 for the account would show that another
identifier (an email) belongs to the locked account, while an unknown one answers 401. Keyed by what was
typed, a locked identifier looks the same whether or not it names an account, and the account still
gets no more than its budget of guesses whatever it is called.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from api.settings import api_settings
from api.throttling import WindowCounter
from polycms.http import client_ip

audit = logging.getLogger("polycms.audit")

# Looked up when an email names no account, so that case costs what a wrong password costs. Usernames
# cannot contain spaces (Django's validator), and a match would be discarded anyway.
_NO_ACCOUNT = " no such account "


class SignInLocked(Exception):
    """Too many failures for this identifier or client IP; retry after ``retry_after`` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__("Too many failed sign-in attempts.")
        self.retry_after = retry_after


class SignInFailed(Exception):
    """Unknown identifier, wrong password, inactive or locked account, or (``staff_only``) not staff:
    one failure, whatever the reason, so the caller cannot tell them apart."""


@dataclass(frozen=True)
class _Attempt:
    identifier: str
    ip: str | None

    def counters(self, username: str | None = None) -> WindowCounter:
        """Failures of this attempt's identifier and IP, and of the account ``username`` when given."""
        per_account = api_settings.LOGIN_FAILURES_PER_USERNAME
        limits = {("identifier", self.identifier.casefold()): per_account}
        if self.ip:
            limits[("ip", self.ip)] = api_settings.LOGIN_FAILURES_PER_IP
        if username is not None:
            limits[("account", username.casefold())] = per_account
        return WindowCounter("login", window=api_settings.LOGIN_FAILURE_WINDOW, limits=limits)


def sign_in_authenticate(
    request: HttpRequest,
    *,
    password: str,
    username: str | None = None,
    email: str | None = None,
    staff_only: bool = False,
) -> object:
    """The user whose ``username`` (or ``email``) and ``password`` these are; the caller logs them in.

    Raises ``SignInLocked`` when the identifier or the client IP is over its failure limit (checked
    before anything else, so a locked attempt costs no database work) and ``SignInFailed`` otherwise.
    Failures write ``auth.login_refused`` (locked) or ``auth.login_failed`` audit lines, never with the
    password; a sign-in is audited as ``auth.login`` when its session starts (``audit_sign_in``).
    """
    attempt = _Attempt(identifier=username or email or "", ip=client_ip(request))
    lock = attempt.counters()
    if lock.exceeded():
        audit.warning("auth.login_refused", extra={"audit": {"username": attempt.identifier, "ip": attempt.ip}})
        raise SignInLocked(lock.retry_after)

    account = username or _username_for_email(email or "")
    counters = attempt.counters(account)
    account_locked = account is not None and counters.exceeded()
    # The same work whether the account is unknown, locked or fine (one user lookup, one password hash),
    # so that timing cannot tell them apart.
    user = authenticate(request, username=account or _NO_ACCOUNT, password=password)
    if account is None or account_locked or user is None or (staff_only and not user.is_staff):
        counters.hit()
        audit.warning("auth.login_failed", extra={"audit": {"username": attempt.identifier, "ip": attempt.ip}})
        raise SignInFailed
    # The identifier's and the account's counts start again; the IP's does not (one known password must
    # not buy more guesses at other accounts).
    counters.reset("identifier", "account")
    return user


def _username_for_email(email: str) -> str | None:
    """The username of the one active user with ``email`` (None when no user or several share it: an
    ambiguous email cannot sign in, the username still can)."""
    matches = list(
        get_user_model().objects.filter(email__iexact=email, is_active=True).values_list("username", flat=True)[:2]
    )
    return matches[0] if len(matches) == 1 else None


@receiver(user_logged_in, dispatch_uid="polycms-audit-sign-in")
def audit_sign_in(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """``auth.login`` for every session that starts: the API's sign-in and the admin's alike."""
    ip = client_ip(request) if request is not None else None
    audit.info("auth.login", extra={"audit": {"user_id": user.pk, "username": user.get_username(), "ip": ip}})
