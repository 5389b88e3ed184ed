"""Success envelope: a single resource renders as ``{"data": ...}``.

Error bodies (already shaped by ``api.exceptions``) and list pages (shaped by ``api.pagination``)
are marked ``enveloped`` and pass through unchanged.
"""

from __future__ import annotations

from typing import Any

import orjson
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.utils.encoders import JSONEncoder


def is_enveloped(response: Any) -> bool:
    return bool(getattr(response, "exception", False) or getattr(response, "enveloped", False))


# What orjson leaves to DRF's encoder (``_encode_rest``): date-times (DRF writes "Z" and milliseconds) and
# dataclasses (DRF does not take them); dictionary keys that are not strings it writes as json does.
_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_encode_rest = JSONEncoder().default
# U+2028 and U+2029 in UTF-8: DRF escapes them (they end a line in JavaScript before ES2019).
_LINE_SEPARATOR, _PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()


class EnvelopeJSONRenderer(JSONRenderer):
    """DRF's compact, UTF-8, strict JSON, encoded with orjson (the json module took ~10% of a list page's CPU,
    orjson a seventh of that) to the same bytes, but for a float's negative exponent (``1e-7``, where json writes
    ``1e-07``) and NaN (``null``, where DRF's strict mode fails). Indented output (``indent=`` in
    ``Accept``, the browsable API), DRF's other settings (``COMPACT_JSON`` or ``UNICODE_JSON`` off) and what
    orjson cannot encode (an integer beyond 64 bits) go to DRF."""

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: dict | None = None):
        response = (renderer_context or {}).get("response")
        if data is not None and response is not None and not is_enveloped(response):
            data = {"data": data}
        if (
            data is None
            or not self.compact
            or self.ensure_ascii
            or self.get_indent(accepted_media_type, renderer_context or {}) is not None
        ):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            encoded = orjson.dumps(data, default=_encode_rest, option=_ORJSON_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        # bytes.replace() returns the same object when there is nothing to replace: no copy then.
        return encoded.replace(_LINE_SEPARATOR, b"\\u2028").replace(_PARAGRAPH_SEPARATOR, b"\\u2029")


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
