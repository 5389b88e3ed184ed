"""The one error format: ``{"error": {"code", "message", "details"}}`` for every failure under /api/.

``exception_handler`` lets DRF's handler do the work (status, ``WWW-Authenticate``, ``Retry-After``),
then reshapes its body. Anything DRF doesn't handle becomes a 500 (or a 503 when the database is
unreachable) without leaking a traceback, SQL or settings.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from polycms.http import client_ip

logger = logging.getLogger("polycms.api")
audit = logging.getLogger("polycms.audit")


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The service is temporarily unavailable: the database does not answer. Retry shortly."
    default_code = "service_unavailable"


class UnprocessableEntity(exceptions.ValidationError):
    """A DRF ValidationError (answered 422 ``validation_error``) for query parameters and the like."""


# DRF's own codes that the public format renames.
_CODE_ALIASES = {"throttled": "rate_limited", "invalid": "validation_error", "error": "server_error"}
_UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)


def error_body(code: str, message: str, details: dict | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def error_response(code: str, message: str, status_code: int, details: dict | None = None) -> JsonResponse:
    """The error format for plain Django views and middleware (outside DRF)."""
    return JsonResponse(
        error_body(code, message, details), status=status_code, json_dumps_params={"separators": (",", ":")}
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


def unhandled_error(exc: Exception, *, where: str) -> tuple[str, str, int]:
    """Log an exception nothing else handled and return its ``(code, message, status)``: 503
    ``service_unavailable`` when the database does not answer, otherwise 500 ``server_error`` (no
    traceback, SQL or settings in the body). Used by the DRF handler and by the middleware."""
    if isinstance(exc, _UNAVAILABLE_ERRORS):
        logger.warning("database unavailable at %s: %s", where, type(exc).__name__)
        return "service_unavailable", str(ServiceUnavailable.default_detail), HTTPStatus.SERVICE_UNAVAILABLE
    logger.exception("unhandled exception at %s", where)
    return "server_error", "An unexpected error occurred. It has been logged.", HTTPStatus.INTERNAL_SERVER_ERROR


def _code_of(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else exc.default_code
    return _CODE_ALIASES.get(code, code)


def exception_handler(exc: Exception, context: dict) -> Response:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)

    response = drf_exception_handler(exc, context)
    if response is None:
        code, message, status_code = unhandled_error(exc, where=context.get("view").__class__.__name__)
        return Response(error_body(code, message), status=status_code, exception=True)

    if isinstance(exc, exceptions.PermissionDenied):
        _audit_denial(exc, context)
    if isinstance(exc, exceptions.ValidationError):
        details = flatten_errors(exc.detail)
        response.status_code = HTTPStatus.UNPROCESSABLE_ENTITY
        response.data = error_body("validation_error", _validation_message(details), details)
    else:
        details = getattr(exc, "details", None) or (exc.detail if isinstance(exc.detail, dict) else {})
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            details = {"retry_after": int(exc.wait + 0.999)}
        message = str(exc.detail) if not isinstance(exc.detail, dict | list) else exc.default_detail
        response.data = error_body(_code_of(exc), str(message), details)
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
                "code": _code_of(exc),
            }
        },
    )


def _validation_message(details: dict[str, list[str]]) -> str:
    if len(details) == 1:
        ((field, messages),) = details.items()
        return f"{field}: {messages[0]}" if field != "non_field_errors" else messages[0]
    return f"The request has {len(details)} invalid fields; see details."
