"""Cache headers for API views."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response


class NoStoreMixin:
    """``Cache-Control: no-store`` on every response of the view, errors included: for answers about
    the caller (``/user``, their tokens, sign-in) that no browser or proxy cache may keep."""

    def finalize_response(self, request: Request, response: Response, *args, **kwargs) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response
