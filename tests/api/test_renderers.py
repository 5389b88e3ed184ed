"""api.renderers.FirstRendererNegotiation picks what DRF's negotiation picks."""

from __future__ import annotations

import pytest
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
