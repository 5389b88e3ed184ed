"""Browser sign-in (the admin app, headless frontends): ``/api/v1/auth/csrf``, ``login``, ``logout``.

The session cookie and the CSRF token go together: every unsafe request signed in by session must
carry ``X-CSRFToken``. A frontend on another origin cannot read the API's cookies, so the token is
also returned in the ``X-CSRFToken`` response header (exposed through CORS). Login and logout check
CSRF even for anonymous callers. Passwords are checked by ``accounts.services``, which also limits failures
(shared with the admin's login page).
"""

from __future__ import annotations

import logging

from django.contrib.auth import login, logout
from django.middleware.csrf import get_token
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services as signin
from accounts.authentication import SessionAuthentication
from api.caching import NoStoreMixin
from api.exceptions import AuthenticationFailed, RateLimited
from api.query import QueryParametersMixin
from api.serializers import StrictFieldsMixin
from polycms.http import client_ip
from tokens.serializers import CurrentUserSerializer

audit = logging.getLogger("polycms.audit")

CSRF_HEADER = "X-CSRFToken"
CSRF_SENT = OpenApiParameter(
    CSRF_HEADER, str, OpenApiParameter.HEADER, required=True, description="The token from GET /auth/csrf or login."
)


def csrf_returned(status_code: int) -> OpenApiParameter:
    return OpenApiParameter(
        CSRF_HEADER, str, OpenApiParameter.HEADER, response=[status_code], description="The CSRF token to send."
    )


class LoginSerializer(StrictFieldsMixin, serializers.Serializer):
    """A username or an email address, and the password."""

    username = serializers.CharField(required=False, max_length=150)
    email = serializers.CharField(required=False, max_length=254)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})

    def validate(self, attrs: dict) -> dict:
        if bool(attrs.get("username")) == bool(attrs.get("email")):
            raise serializers.ValidationError({"username": [_("Give either a username or an email address.")]})
        return attrs


class CsrfView(QueryParametersMixin, NoStoreMixin, APIView):
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
        return response


class CsrfProtectedView(QueryParametersMixin, NoStoreMixin, APIView):
    """Base of login and logout: session authentication only, and CSRF checked on every unsafe request,
    signed in or not. DRF checks CSRF only once a session user exists; signing in and out must be
    protected too, or another site could sign a browser into the attacker's account (login CSRF).
    Bearer tokens play no part here."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [AllowAny]
    anonymous_needs_csrf = True  # for the OpenAPI schema (api.schema)

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
    account get the same 401; too many failures get 429 ``rate_limited`` with ``Retry-After`` (see
    ``accounts.services`` for the limits)."""

    @extend_schema(
        parameters=[CSRF_SENT, csrf_returned(200)], request=LoginSerializer, responses={200: CurrentUserSerializer}
    )
    def post(self, request: Request) -> Response:
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user = signin.sign_in_authenticate(request._request, **serializer.validated_data)
        except signin.SignInLocked as exc:
            raise RateLimited(wait=exc.retry_after) from None
        except signin.SignInFailed:
            raise AuthenticationFailed(_("Invalid username/email or password.")) from None
        login(request._request, user)  # new session key; rotates the CSRF token
        response = Response(CurrentUserSerializer(user, context={"request": request}).data)
        response[CSRF_HEADER] = get_token(request)
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
