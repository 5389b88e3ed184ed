"""The one error format, for every failure under /api/."""

from http import HTTPStatus

import pytest
from django.db import OperationalError
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


@pytest.mark.parametrize("path", ["/api/v1/nothing/here", "/api/v1/nothing%0Ahere", "/api/v1/posts/%0A"])
def test_unknown_api_url_is_404_in_the_error_format(path):
    assert_error(APIClient().get(path), HTTPStatus.NOT_FOUND, "not_found")


def test_malformed_json_is_400_parse_error(editor, token_client):
    response = token_client(editor).post("/api/v1/posts", "{not json", content_type="application/json")
    assert_error(response, HTTPStatus.BAD_REQUEST, "parse_error")


def test_validation_errors_are_422_with_field_details(editor, token_client):
    response = token_client(editor).post("/api/v1/posts", {"status": "nope"}, format="json")
    error = assert_error(response, HTTPStatus.UNPROCESSABLE_ENTITY, "validation_error")
    assert set(error["details"]) == {"title", "status"}
    assert all(isinstance(messages, list) for messages in error["details"].values())


def test_method_not_allowed_is_405(editor, token_client):
    assert_error(token_client(editor).put("/api/v1/posts", {}, format="json"), 405, "method_not_allowed")


def test_unsupported_media_type_is_415(editor, token_client):
    response = token_client(editor).post("/api/v1/posts", "title=x", content_type="application/x-www-form-urlencoded")
    assert_error(response, HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")


def test_oversized_body_is_413_before_parsing(editor, token_client, settings):
    settings.POLYCMS_API = {"MAX_BODY_BYTES": 1000}
    body = '{"title": "' + "x" * 2000 + '"}'
    response = token_client(editor).post("/api/v1/posts", body, content_type="application/json")
    error = assert_error(response, HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "request_too_large")
    assert error["details"] == {"limit_bytes": 1000}


def test_unhandled_exception_is_500_without_internals(user, token_client, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("SELECT secret FROM settings")

    monkeypatch.setattr("tokens.views.current_user_data", explode)
    response = token_client(user).get("/api/v1/user")
    error = assert_error(response, HTTPStatus.INTERNAL_SERVER_ERROR, "server_error")
    assert b"SELECT" not in response.content and b"Traceback" not in response.content
    assert error["details"] == {}


def test_database_errors_are_503_service_unavailable(user, token_client, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("tokens.views.current_user_data", down)
    assert_error(token_client(user).get("/api/v1/user"), HTTPStatus.SERVICE_UNAVAILABLE, "service_unavailable")


def test_health_is_ok_with_a_database():
    assert APIClient().get("/api/v1/health").json() == {"data": {"status": "ok", "database": "ok"}}


def test_health_is_503_when_the_database_does_not_answer(monkeypatch):
    from django.db import connection

    def refuse(*args, **kwargs):
        raise OperationalError("could not connect")

    monkeypatch.setattr(connection, "cursor", refuse)
    assert_error(APIClient().get("/api/v1/health"), HTTPStatus.SERVICE_UNAVAILABLE, "service_unavailable")


def test_success_bodies_are_enveloped(user, token_client):
    body = token_client(user).get("/api/v1/user").json()
    assert set(body) == {"data"}


def test_timestamps_are_iso8601_utc(editor, token_client):
    data = token_client(editor).post("/api/v1/posts", {"title": "t"}, format="json").json()["data"]
    assert data["created_at"].endswith("Z")


def test_browsable_api_stays_available_for_humans(user, session_client):
    response = session_client(user).get("/api/v1/user", HTTP_ACCEPT="text/html")
    assert response.status_code == HTTPStatus.OK
    assert b"&quot;data&quot;" in response.content or b'"data"' in response.content


def test_schema_and_docs_are_served_with_local_assets():
    client = APIClient()
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == HTTPStatus.OK
    spec = schema.json()
    assert {"/api/v1/user", "/api/v1/posts", "/api/v1/health"} <= set(spec["paths"])
    user_ok = spec["paths"]["/api/v1/user"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert user_ok["required"] == ["data"]
    assert "401" in spec["paths"]["/api/v1/user"]["get"]["responses"]
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == HTTPStatus.OK
    assert b"swagger-ui" in docs.content
    assert b"cdn." not in docs.content and b"unpkg" not in docs.content


@pytest.mark.parametrize(
    ("raised", "status", "code"),
    [
        (OperationalError("gone"), HTTPStatus.SERVICE_UNAVAILABLE, "service_unavailable"),
        (RuntimeError("boom"), HTTPStatus.INTERNAL_SERVER_ERROR, "server_error"),
    ],
)
def test_non_drf_views_under_api_answer_in_the_error_format(monkeypatch, raised, status, code):
    def explode(*args, **kwargs):
        raise raised

    monkeypatch.setattr("api.urls.error_response", explode)  # the catch-all 404 view is plain Django
    response = APIClient(raise_request_exception=False).get("/api/v1/nothing")
    assert_error(response, status, code)
