import base64
import logging
from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient, APIRequestFactory

from tokens import crypto, services
from tokens.authentication import PersonalAccessTokenAuthentication

pytestmark = pytest.mark.django_db


def bearer(plaintext: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


def assert_rejected(response, reason: str) -> None:
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    error = response.json()["error"]
    assert error["code"] == "authentication_failed"
    assert error["details"] == {"reason": reason}


def test_seed_curl_example_returns_the_owner(user, make_token):
    token, plaintext = make_token(user, name="Zapier Integration")
    response = APIClient().get("/api/v1/user", HTTP_ACCEPT="application/json", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert response.status_code == HTTPStatus.OK
    data = response.json()["data"]
    assert data["username"] == "alice"
    assert data["token"] == {"id": token.pk, "name": "Zapier Integration", "abilities": ["*"], "expires_at": None}


def test_malformed_token_is_rejected_without_a_query(django_assert_num_queries):
    request = APIRequestFactory().get("/api/v1/user", HTTP_AUTHORIZATION="Bearer pcms_" + "A" * 46)
    with django_assert_num_queries(0), pytest.raises(Exception, match="Invalid token"):
        PersonalAccessTokenAuthentication().authenticate(request)


def test_valid_token_authenticates_with_one_query(user, make_token, django_assert_num_queries):
    token, plaintext = make_token(user)
    services.token_record_use(token=token, ip="127.0.0.1")  # last_used_at is fresh: no write due
    request = APIRequestFactory().get("/api/v1/user", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    with django_assert_num_queries(1):
        owner, auth = PersonalAccessTokenAuthentication().authenticate(request)
    assert owner == user and auth.pk == token.pk


def test_unknown_well_formed_token_is_invalid(db):
    assert_rejected(bearer(crypto.generate_token()).get("/api/v1/user"), "invalid")


def test_revoked_token_is_rejected_on_next_request(user, make_token):
    token, plaintext = make_token(user)
    client = bearer(plaintext)
    assert client.get("/api/v1/user").status_code == HTTPStatus.OK
    services.token_revoke(token=token, by=user)
    assert_rejected(client.get("/api/v1/user"), "revoked")


def test_expired_token_is_rejected(user, make_token):
    _, plaintext = make_token(user, expires_at=timezone.now() + timedelta(days=7))
    assert bearer(plaintext).get("/api/v1/user").status_code == HTTPStatus.OK
    with time_machine.travel(timezone.now() + timedelta(days=7, seconds=1)):
        assert_rejected(bearer(plaintext).get("/api/v1/user"), "expired")


def test_token_of_inactive_owner_is_rejected(user, make_token):
    _, plaintext = make_token(user)
    user.is_active = False
    user.save()
    assert_rejected(bearer(plaintext).get("/api/v1/user"), "inactive")


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Bearer pcms_\u00e9"])
def test_broken_bearer_header_is_rejected(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert_rejected(client.get("/api/v1/user"), "invalid")


def test_last_used_is_written_at_most_once_per_minute(user, make_token, django_assert_num_queries):
    token, plaintext = make_token(user)
    client = bearer(plaintext)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get("/api/v1/user")
    token.refresh_from_db()
    assert token.last_used_at == start and token.last_used_ip == "127.0.0.1"
    # token + owner + roles + permissions in one query, and no UPDATE within the minute
    with time_machine.travel(start + timedelta(seconds=30), tick=False), django_assert_num_queries(1):
        client.get("/api/v1/user")
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        client.get("/api/v1/user")
    token.refresh_from_db()
    assert token.last_used_at == start + timedelta(seconds=61)


def test_secret_key_rotation_keeps_tokens_working_with_one_lookup(user, make_token, settings):
    token, plaintext = make_token(user)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-brand-new-secret-key-after-rotation-0123456789abcdef"
    assert_rejected(bearer(plaintext).get("/api/v1/user"), "invalid")  # without the fallback: gone
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert bearer(plaintext).get("/api/v1/user").status_code == HTTPStatus.OK
    token.refresh_from_db()
    assert token.digest == crypto.digest(plaintext)  # re-keyed to the current key on first use
    settings.SECRET_KEY_FALLBACKS = []
    assert bearer(plaintext).get("/api/v1/user").status_code == HTTPStatus.OK


def test_a_revoked_token_stays_revoked_when_its_fallback_key_is_retired(user, make_token, settings):
    token, plaintext = make_token(user)
    services.token_revoke(token=token, by=user)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-brand-new-secret-key-after-rotation-0123456789abcdef"
    assert_rejected(bearer(plaintext).get("/api/v1/user"), "revoked")  # and re-keyed on the way
    settings.SECRET_KEY_FALLBACKS = []
    assert_rejected(bearer(plaintext).get("/api/v1/user"), "revoked")


def test_user_endpoint_lists_roles_and_sorted_permissions(editor, token_client):
    data = token_client(editor).get("/api/v1/user").json()["data"]
    assert data["roles"] == ["Editor"]
    assert data["permissions"] == sorted(data["permissions"])
    assert "posts.publish_post" in data["permissions"]
    assert set(data) >= {"id", "username", "email", "first_name", "last_name", "is_staff"}


def test_user_endpoint_by_session_has_no_token(user, session_client):
    data = session_client(user).get("/api/v1/user").json()["data"]
    assert data["token"] is None


def test_anonymous_user_endpoint_is_401(db):
    response = APIClient().get("/api/v1/user")
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["error"]["code"] == "not_authenticated"


# ---------------------------------------------------------------------------- other schemes

WRONG_SCHEMES = {
    "token-scheme": "Token {token}",
    "bare-token": "{token}",
    "lowercase-token-scheme": "token {token}",
    "basic-with-the-token-as-username": "Basic {token_as_basic_username}",
    "basic-password": "Basic YWxpY2U6c2VjcmV0",
    "other-scheme": "Digest username=alice",
    "bare-word": "anonymous",
}


def wrong_scheme_header(template: str, plaintext: str) -> str:
    return template.format(token=plaintext, token_as_basic_username=base64.b64encode(f"{plaintext}:".encode()).decode())


def assert_wrong_scheme(response, plaintext: str) -> None:
    assert_rejected(response, "scheme")
    assert "Authorization: Bearer <token>" in response.json()["error"]["message"]
    assert plaintext not in response.content.decode()


# /posts: refused even where anonymous callers may read (a client that sends credentials wants them used).
@pytest.mark.parametrize("path", ["/api/v1/user", "/api/v1/posts"])
@pytest.mark.parametrize("template", WRONG_SCHEMES.values(), ids=WRONG_SCHEMES.keys())
def test_an_authorization_header_that_is_not_bearer_says_how_to_send_the_token(user, make_token, template, path):
    _, plaintext = make_token(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=wrong_scheme_header(template, plaintext))
    assert_wrong_scheme(client.get(path), plaintext)


def test_a_token_in_another_scheme_is_never_looked_up(user, make_token, django_assert_num_queries):
    _, plaintext = make_token(user)
    request = APIRequestFactory().get("/api/v1/user", HTTP_AUTHORIZATION=f"Token {plaintext}")
    with django_assert_num_queries(0), pytest.raises(Exception, match="Authorization: Bearer <token>"):
        PersonalAccessTokenAuthentication().authenticate(request)


def test_wrong_scheme_is_not_counted_as_a_bearer_failure_nor_logged_with_the_token(user, make_token, settings, caplog):
    # A client bug, not a guessing attack: counting it would lock every client behind the same address out.
    settings.POLYCMS_API = {"BEARER_FAILURES_PER_IP": 2}
    _, plaintext = make_token(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {plaintext}")
    with caplog.at_level(logging.DEBUG):
        for _ in range(3):
            assert_wrong_scheme(client.get("/api/v1/user"), plaintext)
    assert plaintext not in caplog.text
    assert bearer(plaintext).get("/api/v1/user").status_code == HTTPStatus.OK


def test_a_session_keeps_working_behind_a_proxy_that_sends_basic_credentials(user, session_client):
    client = session_client(user)
    client.credentials(HTTP_AUTHORIZATION="Basic YWxpY2U6c2VjcmV0")
    response = client.get("/api/v1/user")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["data"]["token"] is None


def test_a_token_in_another_scheme_is_refused_on_a_signed_in_session_too(user, make_token, session_client):
    _, plaintext = make_token(user)
    client = session_client(user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {plaintext}")
    assert_wrong_scheme(client.get("/api/v1/user"), plaintext)
