"""Guards for everything under /api/ that happen before (or outside) DRF."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from api.exceptions import ParseError, RequestTooLarge, error_response, unhandled_error
from api.settings import api_settings


def body_limit(path_info: str, method: str) -> int:
    """The most bytes a request body may have: ``POLYCMS_API["MAX_BODY_BYTES"]``, or more where the view says so with
    a ``max_body_bytes(method)`` (uploads: ``media.views``). Resolve only past the global limit, which is rare."""
    limit = api_settings.MAX_BODY_BYTES
    try:
        match = resolve(path_info)
    except Resolver404:
        return limit
    view_class = getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)
    allows = getattr(view_class, "max_body_bytes", None)
    return max(limit, allows(method)) if allows is not None else limit


class ApiErrorMiddleware:
    """Refuse oversized bodies with 413 before they are read, and answer in the error format
    when a non-DRF view under /api/ raises."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            too_large = self._check_body_size(request)
            if too_large is not None:
                return too_large
        return self.get_response(request)

    @staticmethod
    def _check_body_size(request: HttpRequest) -> HttpResponse | None:
        limit = api_settings.MAX_BODY_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response(ParseError("Invalid Content-Length header."))
        if length > limit and length > (limit := body_limit(request.path_info, request.method)):
            return error_response(
                RequestTooLarge(
                    f"The request body is {length} bytes; the limit is {limit} bytes.", details={"limit_bytes": limit}
                )
            )
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith("/api/"):
            return None
        return error_response(unhandled_error(exception, where=request.path))
