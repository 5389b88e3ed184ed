"""The one error format: ``{"error": {"code", "message", "details"}}`` for every failure under /api/.

``exception_handler`` lets DRF's handler do the work (status, ``WWW-Authenticate``, ``Retry-After``),
then reshapes its body. Anything DRF doesn't handle becomes a 500 (or a 503 when the database is
unreachable) without leaking a traceback, SQL or settings.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response

from polycms.http import client_ip

logger = logging.getLogger("polycms.api")
audit = logging.getLogger("polycms.audit")


# ---------------------------------------------------------------------------- the catalogue
# One class per public error code, with its status. Where DRF raises its own exception for a case, the
# class here extends DRF's, so that DRF's handler still sets headers (WWW-Authenticate, Retry-After)
# and DRF's own raises are recognised by ``isinstance``.


class DeclaredDetails:
    """For errors whose body carries a ``details`` object: each class documents the keys it carries."""

    def __init__(self, detail: Any = None, code: str | None = None, *, details: dict | None = None) -> None:
        super().__init__(detail, code)
        self.details = details or {}


class ApiError(DeclaredDetails, exceptions.APIException):
    """An error in the one format that DRF has no class for."""


class ParseError(exceptions.ParseError):
    """400: the body is not valid JSON, or a header cannot be read."""

    default_code = "parse_error"


class ValidationError(exceptions.ValidationError):
    """422: invalid fields or query parameters. ``details``: location -> messages."""

    status_code = HTTPStatus.UNPROCESSABLE_ENTITY
    default_code = "validation_error"


class NotAuthenticated(exceptions.NotAuthenticated):
    """401: no credentials."""

    default_code = "not_authenticated"


class AuthenticationFailed(DeclaredDetails, exceptions.AuthenticationFailed):
    """401: credentials that do not authenticate. ``details.reason`` for a rejected token."""

    default_code = "authentication_failed"


class PermissionDenied(exceptions.PermissionDenied):
    """403: not allowed (the owner's permission or the token's ability)."""

    default_code = "permission_denied"


class CsrfFailed(PermissionDenied):
    """403: a session request without a valid CSRF token."""

    default_code = "csrf_failed"


class NotFound(exceptions.NotFound):
    """404: an unknown URL, or an object the caller may not see."""

    default_code = "not_found"


class MethodNotAllowed(exceptions.MethodNotAllowed):
    """405."""

    default_code = "method_not_allowed"


class NotAcceptable(exceptions.NotAcceptable):
    """406: ``Accept`` names no format the endpoint renders."""

    default_code = "not_acceptable"


class Conflict(ApiError):
    """409: the request conflicts with the current state of the resource."""

    status_code = HTTPStatus.CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class LengthRequired(ApiError):
    """411: a chunked body (``Transfer-Encoding: chunked``) on a server that cannot read one."""

    status_code = HTTPStatus.LENGTH_REQUIRED
    default_detail = (
        "This server cannot read a chunked request body (Transfer-Encoding: chunked). Send the body with a "
        "Content-Length header, or run PolyCMS under gunicorn (make serve), which reads chunked bodies."
    )
    default_code = "length_required"


class PreconditionFailed(ApiError):
    """412: ``If-Match`` does not match the current ``ETag``."""

    status_code = HTTPStatus.PRECONDITION_FAILED
    default_detail = "The resource has changed since you fetched it: If-Match does not match its ETag."
    default_code = "precondition_failed"


class RequestTooLarge(ApiError):
    """413: the body is above the limit. ``details.limit_bytes``."""

    status_code = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


class UnsupportedMediaType(exceptions.UnsupportedMediaType):
    """415: a body in a media type the endpoint does not read (not ``application/json``). The message names
    the one received and the ones ``accepted``."""

    default_code = "unsupported_media_type"

    def __init__(
        self,
        media_type: str,
        detail: str | None = None,
        code: str | None = None,
        *,
        accepted: Sequence[str] = ("application/json",),
    ) -> None:
        if detail is None:
            send = " or ".join(f"Content-Type: {accepted_type}" for accepted_type in accepted)
            if media_type:
                detail = f'Unsupported media type "{media_type}" in request: send the body with {send}.'
            else:
                detail = f"The request body has no Content-Type header: send it with {send}."
        super().__init__(media_type, detail, code)


class RateLimited(exceptions.Throttled):
    """429 with ``Retry-After``. ``details.retry_after`` (seconds)."""

    default_code = "rate_limited"


class ServerError(ApiError):
    """500: a bug; logged, with no internals in the response."""

    status_code = HTTPStatus.INTERNAL_SERVER_ERROR
    default_detail = "An unexpected error occurred. It has been logged."
    default_code = "server_error"


class ServiceUnavailable(ApiError):
    """503: the database does not answer."""

    status_code = HTTPStatus.SERVICE_UNAVAILABLE
    default_detail = "The service is temporarily unavailable: the database does not answer. Retry shortly."
    default_code = "service_unavailable"


CATALOGUE: tuple[type[exceptions.APIException], ...] = (
    ParseError,
    ValidationError,
    NotAuthenticated,
    AuthenticationFailed,
    PermissionDenied,
    CsrfFailed,
    NotFound,
    MethodNotAllowed,
    NotAcceptable,
    Conflict,
    LengthRequired,
    PreconditionFailed,
    RequestTooLarge,
    UnsupportedMediaType,
    RateLimited,
    ServerError,
    ServiceUnavailable,
)
ERROR_CODES = [error.default_code for error in CATALOGUE]
_UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)


def public_code(exc: exceptions.APIException) -> str:
    """The catalogue code of ``exc``: its own code when that is one (``PermissionDenied(code="csrf_failed")``),
    else the code of the most specific catalogue class it is, or extends the DRF base of."""
    codes = exc.get_codes()
    if isinstance(codes, str) and codes in ERROR_CODES:
        return codes
    for error in reversed(CATALOGUE):  # subclasses come after their bases
        if isinstance(exc, error) or type(exc) in error.__mro__[1:2]:
            return error.default_code
    return ServerError.default_code


def error_body(code: str, message: str, details: dict | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def error_response(exc: exceptions.APIException) -> JsonResponse:
    """``exc`` in the error format, for plain Django views and middleware (outside DRF)."""
    return JsonResponse(
        error_body(public_code(exc), str(exc.detail), getattr(exc, "details", None)),
        status=exc.status_code,
        json_dumps_params={"separators": (",", ":")},
    )


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error detail into ``{"field.sub[0]": ["message", ...]}``."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(key, int):  # ListField errors are keyed by item index
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix and not str(key).startswith("[") else f"{prefix}{key}"
            flat.update(flatten_errors(value, name))
        return flat
    if isinstance(detail, list) and detail and all(isinstance(item, str) for item in detail):
        return {prefix or "non_field_errors": [str(item) for item in detail]}
    if isinstance(detail, list):
        flat = {}
        for index, value in enumerate(detail):
            if value:
                flat.update(flatten_errors(value, f"{prefix}[{index}]"))
        return flat
    return {prefix or "non_field_errors": [str(detail)]}


def unhandled_error(exc: Exception, *, where: str) -> ApiError:
    """Log an exception nothing else handled and return the error to answer: ``ServiceUnavailable``
    when the database does not answer, otherwise ``ServerError`` (no traceback, SQL or settings in the
    body). Used by the DRF handler and by the middleware."""
    if isinstance(exc, _UNAVAILABLE_ERRORS):
        logger.warning("database unavailable at %s: %s", where, type(exc).__name__)
        return ServiceUnavailable()
    logger.exception("unhandled exception at %s", where)
    return ServerError()


def exception_handler(exc: Exception, context: dict) -> Response:
    if isinstance(exc, Http404):
        exc = NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = PermissionDenied(str(exc) or None)
    elif isinstance(exc, DjangoValidationError):
        exc = ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif type(exc) is exceptions.UnsupportedMediaType and context.get("request") is not None:
        # DRF's Request raises its own, which names the media type received but not what to send.
        request = context["request"]
        exc = UnsupportedMediaType(request.content_type, accepted=[parser.media_type for parser in request.parsers])

    # Imported here: authentication classes import this module while rest_framework.views loads them.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        error = unhandled_error(exc, where=context.get("view").__class__.__name__)
        return Response(error_body(error.default_code, str(error.detail)), status=error.status_code, exception=True)

    if isinstance(exc, exceptions.PermissionDenied):
        _audit_denial(exc, context)
    if isinstance(exc, exceptions.ValidationError):
        details = flatten_errors(exc.detail)
        response.status_code = HTTPStatus.UNPROCESSABLE_ENTITY
        response.data = error_body(ValidationError.default_code, _validation_message(details), details)
    else:
        details = getattr(exc, "details", None) or (exc.detail if isinstance(exc.detail, dict) else {})
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            details = {"retry_after": int(exc.wait + 0.999)}
        message = str(exc.detail) if not isinstance(exc.detail, dict | list) else exc.default_detail
        response.data = error_body(public_code(exc), str(message), details)
    return response


def _audit_denial(exc: exceptions.PermissionDenied, context: dict) -> None:
    request = context.get("request")
    user = getattr(request, "user", None)
    auth = getattr(request, "auth", None)
    audit.info(
        "auth.permission_denied",
        extra={
            "audit": {
                "actor_id": getattr(user, "pk", None),
                "token_id": getattr(auth, "pk", None),
                "ip": client_ip(request) if request is not None else None,
                "method": getattr(request, "method", None),
                "path": getattr(request, "path", None),
                "code": public_code(exc),
            }
        },
    )


def _validation_message(details: dict[str, list[str]]) -> str:
    if len(details) == 1:
        ((field, messages),) = details.items()
        return f"{field}: {messages[0]}" if field != "non_field_errors" else messages[0]
    return f"The request has {len(details)} invalid fields; see details."
