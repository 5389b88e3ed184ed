"""Success envelope: a single resource renders as ``{"data": ...}``.

Error bodies (already shaped by ``api.exceptions``) and list pages (shaped by ``api.pagination``)
are marked ``enveloped`` and pass through unchanged.
"""

from __future__ import annotations

from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request


def is_enveloped(response: Any) -> bool:
    return bool(getattr(response, "exception", False) or getattr(response, "enveloped", False))


class EnvelopeJSONRenderer(JSONRenderer):
    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: dict | None = None):
        response = (renderer_context or {}).get("response")
        if data is not None and response is not None and not is_enveloped(response):
            data = {"data": data}
        return super().render(data, accepted_media_type, renderer_context)


class EnvelopeBrowsableAPIRenderer(BrowsableAPIRenderer):
    """The browsable API for humans, showing the same envelope that JSON clients get."""

    def get_default_renderer(self, view):
        return EnvelopeJSONRenderer()


class FirstRendererNegotiation(DefaultContentNegotiation):
    """DRF's content negotiation, with a short cut for what API clients send nearly always: no ``Accept``
    header, ``*/*``, or exactly the first renderer's media type, and no ``?format=``. Then the answer is the
    first renderer with its media type, as DRF's negotiation would find after parsing the header; anything
    else (a browser's list, parameters, ``?format=api``) is negotiated by DRF."""

    def select_renderer(
        self, request: Request, renderers: list[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        first = renderers[0]
        accept = request.META.get("HTTP_ACCEPT", "*/*")
        if (
            format_suffix is None
            and (accept == "*/*" or accept == first.media_type)
            # No query string: no ?format= either, and the query string is not parsed just to look.
            and (not request.META.get("QUERY_STRING") or self.settings.URL_FORMAT_OVERRIDE not in request.query_params)
        ):
            return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)
