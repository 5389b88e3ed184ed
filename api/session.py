"""Browser sign-in (the admin app, headless frontends): ``/api/v1/auth/csrf``, ``login``, ``logout``.

The session cookie and the CSRF token go together: every unsafe request signed in by session must
carry ``X-CSRFToken``. A frontend on another origin cannot read the API's cookies, so the token is
also returned in the ``X-CSRFToken`` response header (exposed through CORS). Login and logout check
CSRF even for anonymous callers, and failed logins are limited per account and per client IP in the
cache (Redis in production, so all gunicorn workers share the counts).
"""

from __future__ import annotations

import logging

from django.contrib.auth import authenticate, get_user_model, login, logout
from django.middleware.csrf import get_token
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.authentication import SessionAuthentication
from api.serializers import CurrentUserSerializer
from api.settings import api_settings
from api.throttling import WindowCounter
from polycms.http import client_ip

audit = logging.getLogger("polycms.audit")

CSRF_HEADER = "X-CSRFToken"
CSRF_SENT = OpenApiParameter(
    CSRF_HEADER, str, OpenApiParameter.HEADER, required=True, description="The token from GET /auth/csrf or login."
)


def csrf_returned(status_code: int) -> OpenApiParameter:
    return OpenApiParameter(
        CSRF_HEADER, str, OpenApiParameter.HEADER, response=[status_code], description="The CSRF token to send."
    )


def login_failures(*, account: str, ip: str | None) -> WindowCounter:
    """Failed sign-ins per account (index 0, so a good sign-in can reset it) and per client IP. Over
    ``LOGIN_FAILURES_PER_USERNAME`` or ``LOGIN_FAILURES_PER_IP`` in a window of ``LOGIN_FAILURE_WINDOW``
    seconds, every attempt is refused until the window ends, whatever the password."""
    limits = {("account", account): api_settings.LOGIN_FAILURES_PER_USERNAME}
    if ip:
        limits[("ip", ip)] = api_settings.LOGIN_FAILURES_PER_IP
    return WindowCounter("login", window=api_settings.LOGIN_FAILURE_WINDOW, limits=limits)


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(required=False, max_length=150)
    email = serializers.CharField(required=False, max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})

    def validate(self, attrs: dict) -> dict:
        if bool(attrs.get("username")) == bool(attrs.get("email")):
            raise serializers.ValidationError({"username": [_("Give either a username or an email address.")]})
        return attrs


def _username_for(*, username: str | None, email: str | None) -> str | None:
    """The username to authenticate: the given one, or the one active user with ``email`` (None when no
    user or several share it: an ambiguous email cannot sign in, the username still can)."""
    if username:
        return username
    matches = list(
        get_user_model().objects.filter(email__iexact=email, is_active=True).values_list("username", flat=True)[:2]
    )
    return matches[0] if len(matches) == 1 else None


class CsrfView(APIView):
    """``GET /api/v1/auth/csrf``: 204, sets the ``csrftoken`` cookie and returns a token for it in the
    ``X-CSRFToken`` header, to send back as ``X-CSRFToken`` on unsafe requests."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[csrf_returned(204)],
        responses={204: OpenApiResponse(description="The token is in the X-CSRFToken header.")},
    )
    def get(self, request: Request) -> Response:
        response = Response(status=status.HTTP_204_NO_CONTENT)
        response[CSRF_HEADER] = get_token(request)  # also makes the CSRF middleware set the cookie
        response["Cache-Control"] = "no-store"
        return response


class CsrfProtectedView(APIView):
    """Base of login and logout: session authentication only, and CSRF checked on every unsafe request,
    signed in or not. DRF checks CSRF only once a session user exists; signing in and out must be
    protected too, or another site could sign a browser into the attacker's account (login CSRF).
    Bearer tokens play no part here."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [AllowAny]

    def perform_authentication(self, request: Request) -> None:
        super().perform_authentication(request)  # checks CSRF when a session user exists
        if not request.user.is_authenticated:
            SessionAuthentication().enforce_csrf(request)

    def get_authenticate_header(self, request: Request) -> str:
        # A challenge makes a failed sign-in a 401, as it should be, rather than DRF's 403 fallback.
        return 'Session realm="api"'


class LoginView(CsrfProtectedView):
    """``POST /api/v1/auth/login`` with ``{username | email, password}`` and ``X-CSRFToken``: the user
    (as ``GET /api/v1/user``) and a new session. The session key and the CSRF token are rotated; the
    new token is in the ``X-CSRFToken`` header. An unknown user, a wrong password and an inactive
    account get the same 401; too many failures get 429 ``rate_limited`` with ``Retry-After``."""

    @extend_schema(
        parameters=[CSRF_SENT, csrf_returned(200)], request=LoginSerializer, responses={200: CurrentUserSerializer}
    )
    def post(self, request: Request) -> Response:
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        given_username, email = serializer.validated_data.get("username"), serializer.validated_data.get("email")
        password = serializer.validated_data["password"]
        username = _username_for(username=given_username, email=email)
        ip = client_ip(request)
        # Keyed by the account however it was named, so username and email don't double the guesses.
        failures = login_failures(account=(username or email).casefold(), ip=ip)
        attempted = given_username or email
        if failures.exceeded():
            audit.warning("auth.login_refused", extra={"audit": {"username": attempted, "ip": ip}})
            raise exceptions.Throttled(wait=failures.retry_after)

        if username is not None:
            user = authenticate(request._request, username=username, password=password)
        else:
            # Hash anyway so an unknown email takes as long as a wrong password (no enumeration by timing).
            get_user_model()().set_password(password)
            user = None
        if user is None:
            failures.hit()
            audit.warning("auth.login_failed", extra={"audit": {"username": attempted, "ip": ip}})
            raise exceptions.AuthenticationFailed(_("Invalid username/email or password."))

        login(request._request, user)  # new session key; rotates the CSRF token
        # The account's count starts again; the IP's does not (one known password must not buy more
        # guesses at other accounts).
        failures.reset(0)
        audit.info("auth.login", extra={"audit": {"user_id": user.pk, "username": user.get_username(), "ip": ip}})
        response = Response(CurrentUserSerializer(user, context={"request": request}).data)
        response[CSRF_HEADER] = get_token(request)
        response["Cache-Control"] = "no-store"
        return response


class LogoutView(CsrfProtectedView):
    """``POST /api/v1/auth/logout`` with ``X-CSRFToken``: 204, the session is ended. Idempotent: 204
    without a session too."""

    @extend_schema(parameters=[CSRF_SENT], request=None, responses={204: None})
    def post(self, request: Request) -> Response:
        if request.user.is_authenticated:
            audit.info("auth.logout", extra={"audit": {"user_id": request.user.pk, "ip": client_ip(request)}})
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
