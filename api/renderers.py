"""Success envelope: a single resource renders as ``{"data": ...}``.

Error bodies (already shaped by ``api.exceptions``) and list pages (shaped by ``api.pagination``)
are marked ``enveloped`` and pass through unchanged.
"""

from __future__ import annotations

from typing import Any

from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer


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
