"""Attack: read someone's identity, tokens or CSRF token back from a shared or browser cache after
they leave. Defence: ``Cache-Control: no-store`` on every answer about the caller, errors included."""

from http import HTTPStatus

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/user", None),
        ("get", "/api/v1/tokens", None),
        ("post", "/api/v1/tokens", {"name": "cached?"}),
        ("post", "/api/v1/tokens", {"name": ""}),  # an error
        ("get", "/api/v1/tokens/999999", None),  # an error
        ("get", "/api/v1/auth/csrf", None),
        ("post", "/api/v1/auth/logout", None),
    ],
)
def test_answers_about_the_caller_are_never_stored(user, session_client, method, path, body):
    response = getattr(session_client(user), method)(path, body, format="json")
    assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR
    assert response["Cache-Control"] == "no-store"


def test_bearer_user_answer_is_never_stored(user, token_client):
    assert token_client(user).get("/api/v1/user")["Cache-Control"] == "no-store"


@pytest.mark.parametrize("password", ["correct horse battery staple", "wrong"])
def test_sign_in_answers_are_never_stored(user, api_client, password):
    response = api_client.post("/api/v1/auth/login", {"username": "alice", "password": password}, format="json")
    assert response["Cache-Control"] == "no-store"


def test_unauthenticated_user_answer_is_never_stored(api_client):
    response = api_client.get("/api/v1/user")
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response["Cache-Control"] == "no-store"
