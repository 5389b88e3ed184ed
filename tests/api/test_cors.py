"""CORS for headless frontends: only the configured origins, with credentials, on /api/ only."""

import os
import subprocess
import sys
from http import HTTPStatus

import pytest
from django.conf import settings as django_settings
from rest_framework.test import APIClient

FRONTEND = "http://localhost:5173"
STRANGER = "http://evil.example"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frontend_allowed(settings):
    settings.CORS_ALLOWED_ORIGINS = [FRONTEND]
    settings.CSRF_TRUSTED_ORIGINS = [FRONTEND]


def header_set(response, name: str) -> set[str]:
    return {item.strip().lower() for item in response.get(name, "").split(",") if item.strip()}


def preflight(origin: str, method: str = "POST", headers: str = "authorization, content-type, x-csrftoken, if-match"):
    return APIClient().options(
        "/api/v1/posts",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=headers,
    )


def test_allowed_origin_may_read_responses_with_credentials():
    response = APIClient().get("/api/v1/health", HTTP_ORIGIN=FRONTEND)
    assert response.status_code == HTTPStatus.OK
    assert response["Access-Control-Allow-Origin"] == FRONTEND
    assert response["Access-Control-Allow-Credentials"] == "true"
    assert "origin" in header_set(response, "Vary")
    assert header_set(response, "Access-Control-Expose-Headers") >= {"etag", "location", "retry-after", "x-csrftoken"}


def test_refused_origin_gets_no_cors_headers():
    response = APIClient().get("/api/v1/health", HTTP_ORIGIN=STRANGER)
    assert response.status_code == HTTPStatus.OK  # the browser, not the server, withholds the body
    assert not any(name.lower().startswith("access-control-") for name in response.headers)


def test_preflight_from_allowed_origin_allows_the_api_headers_and_methods():
    response = preflight(FRONTEND, method="PATCH")
    assert response.status_code == HTTPStatus.OK
    assert response["Access-Control-Allow-Origin"] == FRONTEND
    assert response["Access-Control-Allow-Credentials"] == "true"
    assert header_set(response, "Access-Control-Allow-Headers") >= {
        "authorization",
        "content-type",
        "x-csrftoken",
        "if-match",
        "if-none-match",  # a frontend revalidating its copy of a post or a list (304)
        "idempotency-key",
    }
    assert header_set(response, "Access-Control-Allow-Methods") >= {"get", "post", "patch", "put", "delete"}
    assert int(response["Access-Control-Max-Age"]) > 0


def test_preflight_from_refused_origin_is_not_allowed():
    response = preflight(STRANGER)
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Credentials" not in response


def test_credentials_are_never_allowed_for_any_origin_by_wildcard():
    response = APIClient().get("/api/v1/health", HTTP_ORIGIN="null")
    assert "Access-Control-Allow-Origin" not in response
    assert not getattr(django_settings, "CORS_ALLOW_ALL_ORIGINS", False)
    assert not getattr(django_settings, "CORS_ALLOWED_ORIGIN_REGEXES", [])


def test_cors_applies_to_the_api_only():
    response = APIClient().get("/admin/login/", HTTP_ORIGIN=FRONTEND)
    assert "Access-Control-Allow-Origin" not in response


def test_errors_carry_cors_headers_so_the_frontend_can_read_them():
    response = APIClient().get("/api/v1/user", HTTP_ORIGIN=FRONTEND)
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response["Access-Control-Allow-Origin"] == FRONTEND


def test_login_from_allowed_origin_exposes_the_rotated_csrf_token(user):
    client = APIClient(enforce_csrf_checks=True)
    csrf = client.get("/api/v1/auth/csrf", HTTP_ORIGIN=FRONTEND)
    assert csrf["Access-Control-Allow-Origin"] == FRONTEND
    response = client.post(
        "/api/v1/auth/login",
        {"username": "alice", "password": "correct horse battery staple"},
        format="json",
        HTTP_ORIGIN=FRONTEND,
        HTTP_X_CSRFTOKEN=csrf["X-CSRFToken"],
    )
    assert response.status_code == HTTPStatus.OK
    assert response["Access-Control-Allow-Origin"] == FRONTEND
    assert "x-csrftoken" in header_set(response, "Access-Control-Expose-Headers")


def test_origins_are_read_from_the_environment():
    env = {
        **os.environ,
        "DJANGO_CORS_ALLOWED_ORIGINS": "https://app.example.com, http://localhost:5173",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://app.example.com",
        "DJANGO_SETTINGS_MODULE": "polycms.settings",
        "DJANGO_SECRET_KEY": "x" * 50,
    }
    code = "from django.conf import settings as s; print(s.CORS_ALLOWED_ORIGINS, s.CSRF_TRUSTED_ORIGINS)"
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=django_settings.BASE_DIR
    ).stdout
    assert output.strip() == "['https://app.example.com', 'http://localhost:5173'] ['https://app.example.com']"
