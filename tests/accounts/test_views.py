"""Browser sign-in: /api/v1/auth/csrf, login, logout; CSRF on session writes; failed-login limits."""

import logging
from datetime import UTC, datetime
from http import HTTPStatus

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from rest_framework.test import APIClient

PASSWORD = "correct horse battery staple"
CSRF_FAILED = "csrf_failed"

# A stopped clock: the rate windows these tests fill cannot roll over mid-test (tests/windows.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


def browser() -> APIClient:
    """A client that, like a browser, keeps cookies and gets no CSRF exemption."""
    return APIClient(enforce_csrf_checks=True)


def fetch_csrf(client: APIClient) -> str:
    response = client.get("/api/v1/auth/csrf")
    assert response.status_code == HTTPStatus.NO_CONTENT
    return response["X-CSRFToken"]


def sign_in(client: APIClient, csrf: str | None = None, *, meta: dict | None = None, **credentials):
    """POST /auth/login as alice with the right password, unless ``credentials`` say otherwise;
    ``meta`` adds request headers (``HTTP_ORIGIN``) or ``REMOTE_ADDR``."""
    credentials.setdefault("password", PASSWORD)
    if "email" not in credentials:
        credentials.setdefault("username", "alice")
    meta = {**(meta or {}), **({"HTTP_X_CSRFTOKEN": csrf} if csrf else {})}
    return client.post("/api/v1/auth/login", credentials, format="json", **meta)


def signed_in(username: str = "alice") -> tuple[APIClient, str]:
    """A browser-like client signed in through the API, and its current CSRF token."""
    client = browser()
    response = sign_in(client, fetch_csrf(client), username=username)
    assert response.status_code == HTTPStatus.OK, response.content
    return client, response["X-CSRFToken"]


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    return error


def sign_in_fails(client: APIClient, csrf: str, **credentials) -> None:
    credentials.setdefault("password", "wrong password")
    assert sign_in(client, csrf, **credentials).status_code == HTTPStatus.UNAUTHORIZED


# ---------------------------------------------------------------------------- /auth/csrf


def test_csrf_endpoint_sets_the_cookie_and_returns_a_token_in_a_header(db):
    client = browser()
    response = client.get("/api/v1/auth/csrf")
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert response.content == b""
    assert response.cookies["csrftoken"].value
    assert response["X-CSRFToken"]
    assert response["Cache-Control"] == "no-store"


def test_header_token_is_accepted_for_the_cookie_set_with_it(user):
    client = browser()
    assert sign_in(client, fetch_csrf(client)).status_code == HTTPStatus.OK


# ---------------------------------------------------------------------------- login


def test_login_returns_the_same_user_as_the_user_endpoint(editor):
    client, _ = signed_in("eddie")
    login_data = sign_in(client, fetch_csrf(client), username="eddie").json()["data"]
    assert login_data == client.get("/api/v1/user").json()["data"]
    assert login_data["username"] == "eddie"
    assert login_data["roles"] == ["Editor"]
    assert login_data["token"] is None


def test_login_sets_a_session_cookie_that_signs_later_requests_in(user):
    client = browser()
    response = sign_in(client, fetch_csrf(client))
    assert response.cookies["sessionid"].value
    assert response.cookies["sessionid"]["httponly"]
    assert response["Cache-Control"] == "no-store"
    assert client.get("/api/v1/user").json()["data"]["username"] == "alice"


def test_login_by_email_ignores_case(user):
    client = browser()
    response = sign_in(client, fetch_csrf(client), email="ALICE@example.com")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["data"]["username"] == "alice"


def test_email_shared_by_two_users_cannot_sign_in_but_their_usernames_can(make_user):
    make_user("alice", email="team@example.com")
    make_user("bob", email="team@example.com")
    client = browser()
    csrf = fetch_csrf(client)
    assert_error(sign_in(client, csrf, email="team@example.com"), HTTPStatus.UNAUTHORIZED, "authentication_failed")
    assert sign_in(client, csrf, username="bob").status_code == HTTPStatus.OK


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "alice", "password": "wrong password"},
        {"username": "nobody", "password": PASSWORD},
        {"email": "nobody@example.com", "password": PASSWORD},
        {"email": "alice@example.com", "password": "wrong password"},
        {"username": "inactive", "password": PASSWORD},
    ],
    ids=["wrong-password", "unknown-username", "unknown-email", "email-wrong-password", "inactive-user"],
)
def test_failed_login_gives_one_answer_whatever_the_reason(user, make_user, credentials):
    make_user("inactive", is_active=False)
    client = browser()
    response = sign_in(client, fetch_csrf(client), **credentials)
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response["WWW-Authenticate"] == 'Session realm="api"'
    assert response.json() == {
        "error": {"code": "authentication_failed", "message": "Invalid username/email or password.", "details": {}}
    }
    assert "sessionid" not in response.cookies


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "alice"}, "password"),
        ({"password": PASSWORD}, "username"),
        ({"username": "alice", "email": "alice@example.com", "password": PASSWORD}, "username"),
    ],
    ids=["no-password", "no-username-or-email", "both-username-and-email"],
)
def test_incomplete_login_is_a_validation_error(user, body, field):
    client = browser()
    response = client.post("/api/v1/auth/login", body, format="json", HTTP_X_CSRFTOKEN=fetch_csrf(client))
    error = assert_error(response, HTTPStatus.UNPROCESSABLE_ENTITY, "validation_error")
    assert field in error["details"]


def test_login_rotates_a_planted_session_key(user):
    planted = SessionStore()
    planted["note"] = "set before sign-in"
    planted.create()
    client = browser()
    client.cookies["sessionid"] = planted.session_key
    response = sign_in(client, fetch_csrf(client))
    assert response.status_code == HTTPStatus.OK
    new_key = response.cookies["sessionid"].value
    assert new_key != planted.session_key
    assert not SessionStore().exists(planted.session_key)
    assert SessionStore(new_key).load()["note"] == "set before sign-in"


def test_login_rotates_the_csrf_token_and_returns_the_new_one(user):
    client = browser()
    old_token = fetch_csrf(client)
    response = sign_in(client, old_token)
    new_token = response["X-CSRFToken"]
    assert response.cookies["csrftoken"].value  # a new secret behind the new token
    assert_error(client.post("/api/v1/auth/logout", HTTP_X_CSRFTOKEN=old_token), HTTPStatus.FORBIDDEN, CSRF_FAILED)
    assert client.post("/api/v1/auth/logout", HTTP_X_CSRFTOKEN=new_token).status_code == HTTPStatus.NO_CONTENT


def test_login_as_someone_else_replaces_the_session(user, make_user):
    make_user("bob")
    client, csrf = signed_in("alice")
    response = sign_in(client, csrf, username="bob")
    assert response.status_code == HTTPStatus.OK
    assert client.get("/api/v1/user").json()["data"]["username"] == "bob"


# ---------------------------------------------------------------------------- CSRF


def test_login_without_a_csrf_token_is_refused(user):
    client = browser()
    fetch_csrf(client)  # the cookie alone is not enough
    error = assert_error(sign_in(client), HTTPStatus.FORBIDDEN, CSRF_FAILED)
    assert "CSRF" in error["message"]
    assert client.get("/api/v1/user").status_code == HTTPStatus.UNAUTHORIZED


def test_login_without_the_csrf_cookie_is_refused(user):
    token = fetch_csrf(browser())
    assert_error(sign_in(browser(), token), HTTPStatus.FORBIDDEN, CSRF_FAILED)


def test_login_from_an_untrusted_origin_is_refused_even_with_a_token(user):
    client = browser()
    csrf = fetch_csrf(client)
    response = sign_in(client, csrf, meta={"HTTP_ORIGIN": "http://evil.example"})
    assert_error(response, HTTPStatus.FORBIDDEN, CSRF_FAILED)


def test_login_from_a_trusted_origin_is_accepted(user, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["http://localhost:5173"]
    client = browser()
    response = sign_in(client, fetch_csrf(client), meta={"HTTP_ORIGIN": "http://localhost:5173"})
    assert response.status_code == HTTPStatus.OK


def test_bearer_token_does_not_exempt_login_from_csrf(user, make_token):
    _, plaintext = make_token(user)
    client = browser()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert_error(sign_in(client), HTTPStatus.FORBIDDEN, CSRF_FAILED)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v1/posts", {"title": "Hello"}),
        ("post", "/api/v1/tokens", {"name": "CLI"}),
        ("delete", "/api/v1/tokens/{token_id}", None),
        ("post", "/api/v1/auth/logout", None),
    ],
    ids=["create-post", "create-token", "revoke-token", "logout"],
)
def test_session_write_without_a_csrf_token_is_refused(author, make_token, method, path, body):
    token, _ = make_token(author)
    client, _ = signed_in("ann")
    response = getattr(client, method)(path.format(token_id=token.pk), body, format="json")
    error = assert_error(response, HTTPStatus.FORBIDDEN, CSRF_FAILED)
    assert set(error) == {"code", "message", "details"}
    assert client.get("/api/v1/user").status_code == HTTPStatus.OK  # still signed in: nothing happened


def test_session_write_with_the_csrf_token_is_accepted(author):
    client, csrf = signed_in("ann")
    response = client.post("/api/v1/posts", {"title": "Hello"}, format="json", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == HTTPStatus.CREATED


def test_bearer_write_needs_no_csrf_token(author, make_token):
    _, plaintext = make_token(author)
    client = browser()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert client.post("/api/v1/posts", {"title": "Hello"}, format="json").status_code == HTTPStatus.CREATED


# ---------------------------------------------------------------------------- logout


def test_logout_ends_the_session(user):
    client, csrf = signed_in()
    response = client.post("/api/v1/auth/logout", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert response.cookies["sessionid"].value == ""  # deleted in the browser
    assert_error(client.get("/api/v1/user"), HTTPStatus.UNAUTHORIZED, "not_authenticated")


def test_logout_without_a_session_is_a_no_op(db):
    client = browser()
    assert client.post("/api/v1/auth/logout", HTTP_X_CSRFTOKEN=fetch_csrf(client)).status_code == 204


def test_anonymous_logout_still_needs_a_csrf_token(db):
    assert_error(browser().post("/api/v1/auth/logout"), HTTPStatus.FORBIDDEN, CSRF_FAILED)


# ---------------------------------------------------------------------------- tokens by session


def test_token_self_service_works_with_session_sign_in(user):
    client, csrf = signed_in()
    created = client.post("/api/v1/tokens", {"name": "Mobile App"}, format="json", HTTP_X_CSRFTOKEN=csrf)
    assert created.status_code == HTTPStatus.CREATED
    token = created.json()["data"]
    listed = client.get("/api/v1/tokens").json()["data"]
    assert [(row["id"], row["status"]) for row in listed] == [(token["id"], "active")]

    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {token['token']}")
    assert bearer.get("/api/v1/user").status_code == HTTPStatus.OK

    revoked = client.delete(f"/api/v1/tokens/{token['id']}", HTTP_X_CSRFTOKEN=csrf)
    assert revoked.status_code == HTTPStatus.NO_CONTENT
    assert_error(bearer.get("/api/v1/user"), HTTPStatus.UNAUTHORIZED, "authentication_failed")


# ---------------------------------------------------------------------------- failed-login limits


def assert_rate_limited(response) -> None:
    error = assert_error(response, HTTPStatus.TOO_MANY_REQUESTS, "rate_limited")
    assert int(response["Retry-After"]) > 0
    assert error["details"] == {"retry_after": int(response["Retry-After"])}


def test_repeated_failures_for_one_account_are_rate_limited_even_with_the_right_password(user):
    client = browser()
    csrf = fetch_csrf(client)
    for _ in range(5):
        sign_in_fails(client, csrf)
    assert_rate_limited(sign_in(client, csrf))


def test_unknown_accounts_are_rate_limited_like_real_ones(db):
    client = browser()
    csrf = fetch_csrf(client)
    for _ in range(5):
        sign_in_fails(client, csrf, username="nobody")
    assert_rate_limited(sign_in(client, csrf, username="nobody"))


def test_username_and_email_share_the_account_budget_of_guesses(user):
    client = browser()
    csrf = fetch_csrf(client)
    for credentials in [{"username": "alice"}, {"email": "alice@example.com"}] * 2 + [{"username": "ALICE"}]:
        sign_in_fails(client, csrf, **credentials)
    # Neither identifier is locked on its own (3 and 2 failures), but the account has had its 5 guesses:
    # the right password fails like a wrong one until the window ends (see tests/security for why not 429).
    response = sign_in(client, csrf, email="Alice@Example.com")
    assert_error(response, HTTPStatus.UNAUTHORIZED, "authentication_failed")


def test_limit_for_one_account_leaves_other_accounts_alone(user, make_user):
    make_user("bob")
    client = browser()
    csrf = fetch_csrf(client)
    for _ in range(5):
        sign_in_fails(client, csrf, username="alice")
    assert sign_in(client, csrf, username="bob").status_code == HTTPStatus.OK


def test_failures_from_one_ip_across_accounts_are_rate_limited(user, settings):
    settings.POLYCMS_API = {"LOGIN_FAILURES_PER_IP": 3}
    client = browser()
    csrf = fetch_csrf(client)
    for name in ["bob", "carol", "dave"]:
        sign_in_fails(client, csrf, username=name)
    assert_rate_limited(sign_in(client, csrf, username="alice"))
    other_ip = sign_in(client, csrf, username="alice", meta={"REMOTE_ADDR": "192.0.2.7"})
    assert other_ip.status_code == HTTPStatus.OK


def test_successful_login_restarts_the_account_count(user):
    client = browser()
    csrf = fetch_csrf(client)
    for _ in range(4):
        sign_in_fails(client, csrf)
    csrf = sign_in(client, csrf)["X-CSRFToken"]
    for _ in range(4):
        sign_in_fails(client, csrf)
    assert sign_in(client, csrf).status_code == HTTPStatus.OK


def test_rate_limit_lifts_when_the_window_ends(user):
    window_start = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)  # a multiple of the 900 s window
    client = browser()
    csrf = fetch_csrf(client)
    with time_machine.travel(window_start, tick=False) as traveller:
        for _ in range(5):
            sign_in_fails(client, csrf)
        traveller.shift(100)
        response = sign_in(client, csrf)
        assert_rate_limited(response)
        assert response["Retry-After"] == "800"
        traveller.shift(800)
        assert sign_in(client, csrf).status_code == HTTPStatus.OK


@pytest.mark.redis
def test_failed_login_limits_work_on_redis(user, redis_cache):
    client = browser()
    csrf = fetch_csrf(client)
    for _ in range(5):
        sign_in_fails(client, csrf)
    assert_rate_limited(sign_in(client, csrf))


def test_failed_login_is_audited_without_the_password(user, caplog):
    client = browser()
    with caplog.at_level(logging.INFO, logger="polycms.audit"):
        sign_in_fails(client, fetch_csrf(client), password="hunter2-secret")
    (record,) = [r for r in caplog.records if r.name == "polycms.audit"]
    assert record.getMessage() == "auth.login_failed"
    assert record.audit == {"username": "alice", "ip": "127.0.0.1"}
    assert "hunter2-secret" not in repr(record.__dict__)


def test_login_and_logout_are_audited(user, caplog):
    with caplog.at_level(logging.INFO, logger="polycms.audit"):
        client, csrf = signed_in()
        client.post("/api/v1/auth/logout", HTTP_X_CSRFTOKEN=csrf)
    events = [(r.getMessage(), r.audit.get("user_id")) for r in caplog.records if r.name == "polycms.audit"]
    assert events == [("auth.login", user.pk), ("auth.logout", user.pk)]
    assert PASSWORD not in caplog.text


# ---------------------------------------------------------------------------- CSRF messages


def assert_says_where_the_current_csrf_token_is(message: str) -> None:
    assert "rotates" in message
    assert "X-CSRFToken" in message
    assert "POST /api/v1/auth/login" in message
    assert "GET /api/v1/auth/csrf" in message


def test_a_csrf_token_from_before_sign_in_says_it_rotated_and_where_the_new_one_is(user):
    client = browser()
    old_token = fetch_csrf(client)
    assert sign_in(client, old_token).status_code == HTTPStatus.OK
    response = client.post("/api/v1/posts", {"title": "Hello"}, format="json", HTTP_X_CSRFTOKEN=old_token)
    error = assert_error(response, HTTPStatus.FORBIDDEN, CSRF_FAILED)
    assert "CSRF token from the 'X-Csrftoken' HTTP header incorrect." in error["message"]  # the reason stays
    assert_says_where_the_current_csrf_token_is(error["message"])


def test_a_missing_csrf_token_says_where_to_read_one(user):
    client, _ = signed_in()
    error = assert_error(client.post("/api/v1/posts", {"title": "Hello"}, format="json"), 403, CSRF_FAILED)
    assert "CSRF token missing." in error["message"]
    assert_says_where_the_current_csrf_token_is(error["message"])


def test_a_csrf_failure_that_is_not_about_the_token_keeps_its_own_reason(user):
    client = browser()
    response = sign_in(client, fetch_csrf(client), meta={"HTTP_ORIGIN": "http://evil.example"})
    error = assert_error(response, HTTPStatus.FORBIDDEN, CSRF_FAILED)
    assert "Origin checking failed" in error["message"]
    assert "rotates" not in error["message"]
