"""api.renderers: the JSON renderer writes what DRF's would; FirstRendererNegotiation picks what DRF's picks."""

from __future__ import annotations

import datetime
import decimal
import json
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from api.renderers import EnvelopeBrowsableAPIRenderer, EnvelopeJSONRenderer, FirstRendererNegotiation

RENDERERS = [EnvelopeJSONRenderer(), EnvelopeBrowsableAPIRenderer()]
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def chosen(negotiation, accept: str | None, query: str = "") -> tuple[type, str]:
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get(f"/api/v1/user{query}", **headers))
    renderer, media_type = negotiation().select_renderer(request, RENDERERS)
    return type(renderer), media_type


@pytest.mark.parametrize(
    ("accept", "query"),
    [
        (None, ""),
        ("*/*", ""),
        ("application/json", ""),
        ("application/json; indent=4", ""),
        (BROWSER, ""),
        ("text/html", ""),
        (None, "?format=api"),
        ("*/*", "?format=json"),
    ],
)
def test_the_same_renderer_and_media_type_as_drf(accept, query):
    assert chosen(FirstRendererNegotiation, accept, query) == chosen(DefaultContentNegotiation, accept, query)


def test_a_client_without_accept_gets_json(token_client, editor):
    response = token_client(editor).get("/api/v1/user", HTTP_ACCEPT="*/*")
    assert response["Content-Type"] == "application/json"
    assert response.json()["data"]["username"] == editor.username


def test_a_browser_gets_the_browsable_api(session_client, editor):
    response = session_client(editor).get("/api/v1/user", HTTP_ACCEPT=BROWSER)
    assert response["Content-Type"].startswith("text/html")


class _Lazy:
    """Stands for what DRF's encoder takes and orjson does not (it goes to DRF's ``default``)."""

    def __iter__(self):
        return iter([1, 2])


@pytest.mark.parametrize(
    "data",
    [
        {"id": 1, "title": "Hello", "ok": True, "none": None, "tags": ["a", "b"], "nested": {"x": [1, {"y": 2.5}]}},
        {
            "unicode": "Grüße, 東京, emoji 🎉, rtl ‏שלום",
            "controls": "tab\there\nnewline \x00 \x1f \x7f",
            "slash": "</script>",
        },
        {"separators": "line\u2028para\u2029end", "quotes": 'a "quoted" \\ backslash'},
        {"when": datetime.datetime(2026, 12, 2, 14, 0, 5, 123456, tzinfo=datetime.UTC)},
        {"day": datetime.date(2026, 12, 2), "time": datetime.time(14, 5), "delta": datetime.timedelta(seconds=90)},
        {"price": decimal.Decimal("12.50"), "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678")},
        {"lazy": gettext_lazy("Invalid token."), "iterable": _Lazy(), "tuple": (1, 2)},
        {1: "integer key", "floats": [0.1, 1.0, -2.5, 1e16, 123456789.123]},
        {"huge": 2**70},  # beyond orjson's 64 bits: encoded by DRF
        [],
        "plain",
    ],
)
def test_json_bodies_are_the_bytes_drf_would_write(data):
    from rest_framework.renderers import JSONRenderer

    assert EnvelopeJSONRenderer().render(data, "application/json") == JSONRenderer().render(data, "application/json")


def test_bodies_are_encoded_by_orjson_where_it_can():
    # The one visible difference: a float's negative exponent unpadded (json writes 1e-07); the same number.
    body = EnvelopeJSONRenderer().render({"small": 1e-7}, "application/json")
    assert body == b'{"small":1e-7}'
    assert json.loads(body) == {"small": 1e-7}


def test_indented_json_and_no_body_are_drfs():
    from rest_framework.renderers import JSONRenderer

    data = {"a": [1, 2]}
    indented = "application/json; indent=2"
    assert EnvelopeJSONRenderer().render(data, indented) == JSONRenderer().render(data, indented)
    assert b"\n  " in EnvelopeJSONRenderer().render(data, indented)
    assert EnvelopeJSONRenderer().render(None) == b""


def test_a_single_object_is_enveloped():
    class Response:
        exception = False

    assert EnvelopeJSONRenderer().render({"id": 1}, None, {"response": Response()}) == b'{"data":{"id":1}}'
