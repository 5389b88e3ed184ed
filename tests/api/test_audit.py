"""Audit lines for security events: who, which token (never its plaintext), from where."""

from http import HTTPStatus

import pytest

from tokens import crypto

pytestmark = pytest.mark.django_db


def audit_events(caplog) -> dict[str, dict]:
    return {r.getMessage(): r.audit for r in caplog.records if r.name == "polycms.audit"}


def test_permission_denial_is_audited(user, token_client, caplog):
    client = token_client(user)
    with caplog.at_level("INFO", logger="polycms.audit"):
        assert client.post("/api/v1/posts", {"title": "x"}, format="json").status_code == HTTPStatus.FORBIDDEN
    event = audit_events(caplog)["auth.permission_denied"]
    assert event["actor_id"] == user.pk and event["token_id"] is not None
    assert (event["ip"], event["method"], event["path"]) == ("127.0.0.1", "POST", "/api/v1/posts")


def test_failed_bearer_authentication_is_audited_without_the_token(user, make_token, caplog, api_client):
    from tokens import services

    token, plaintext = make_token(user)
    services.token_revoke(token=token, by=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    with caplog.at_level("INFO", logger="polycms.audit"):
        api_client.get("/api/v1/user")
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {crypto.generate_token()}")
        api_client.get("/api/v1/user")
    failures = [r.audit for r in caplog.records if r.getMessage() == "auth.bearer_failed"]
    assert [(f["reason"], f["token_id"]) for f in failures] == [("revoked", token.pk), ("invalid", None)]
    assert all(plaintext not in str(r.__dict__) for r in caplog.records)
