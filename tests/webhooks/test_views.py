"""``/api/v1/hooks``: REST hooks as Zapier subscribes, with bearer tokens or a session."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from tests.webhooks.receivers import verify_at_its_time
from webhooks.models import Delivery, Webhook

pytestmark = pytest.mark.django_db

TARGET = "https://hooks.zapier.com/hooks/standard/1/abc/"


@pytest.fixture(autouse=True)
def _no_dns(monkeypatch):
    """Subscribing resolves the target once; no name resolves in the test sandbox, which is accepted."""
    import ipaddress
    import socket

    real_getaddrinfo = socket.getaddrinfo

    def numeric_only(host, *args, **kwargs):
        # Addresses still connect (the suite's Redis at 127.0.0.1 in CI); names do not resolve.
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise socket.gaierror("no DNS in tests") from None
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", numeric_only)


def test_zapier_subscribes_with_a_token_and_gets_the_secret_once(author, token_client):
    client = token_client(author, abilities=["webhooks:write", "posts:read"])
    response = client.post("/api/v1/hooks", {"target_url": TARGET, "event": "post.published"}, format="json")
    assert response.status_code == HTTPStatus.CREATED
    data = response.json()["data"]
    assert set(data) >= {"id", "target_url", "events", "secret", "created_at"}
    assert data["events"] == ["post.published"]
    assert data["secret"].startswith("whsec_")
    assert response["Location"].endswith(f"/api/v1/hooks/{data['id']}")
    assert response["Cache-Control"] == "no-store"
    listed = client.get("/api/v1/hooks").json()
    assert [hook["id"] for hook in listed["data"]] == [data["id"]]
    assert "secret" not in listed["data"][0]
    assert "secret" not in client.get(f"/api/v1/hooks/{data['id']}").json()["data"]
    webhook = Webhook.objects.get()
    assert webhook.owner == author
    assert webhook.created_by_token is not None
    assert data["secret"] not in webhook.secret_ciphertext


def test_events_list_and_wildcard(author, session_client):
    client = session_client(author)
    response = client.post(
        "/api/v1/hooks", {"target_url": TARGET, "events": ["post.deleted", "post.created"]}, format="json"
    )
    assert response.json()["data"]["events"] == ["post.created", "post.deleted"]
    response = client.post("/api/v1/hooks", {"target_url": TARGET, "events": ["post.created", "*"]}, format="json")
    assert response.json()["data"]["events"] == ["*"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target_url": TARGET}, "events"),
        ({"target_url": TARGET, "event": "post.created", "events": ["post.created"]}, "event"),
        ({"target_url": TARGET, "event": "post.exploded"}, "event"),
        ({"target_url": TARGET, "events": []}, "events"),
        ({"target_url": "http://hooks.example.com/x", "event": "post.created"}, "target_url"),
        ({"target_url": "https://169.254.169.254/", "event": "post.created"}, "target_url"),
        ({"target_url": TARGET, "event": "post.created", "url": TARGET}, "url"),
    ],
)
def test_invalid_subscriptions_are_422_naming_the_field(author, session_client, body, field):
    response = session_client(author).post("/api/v1/hooks", body, format="json")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert field in response.json()["error"]["details"]
    assert not Webhook.objects.exists()


def test_unsubscribe_deletes_it_and_others_hooks_are_404(author, make_user, session_client):
    client = session_client(author)
    hook_id = client.post("/api/v1/hooks", {"target_url": TARGET, "event": "*"}, format="json").json()["data"]["id"]
    stranger = session_client(make_user("stranger"))
    assert stranger.get(f"/api/v1/hooks/{hook_id}").status_code == HTTPStatus.NOT_FOUND
    assert stranger.delete(f"/api/v1/hooks/{hook_id}").status_code == HTTPStatus.NOT_FOUND
    assert stranger.post(f"/api/v1/hooks/{hook_id}/ping").status_code == HTTPStatus.NOT_FOUND
    assert stranger.get("/api/v1/hooks").json()["data"] == []
    assert client.delete(f"/api/v1/hooks/{hook_id}").status_code == HTTPStatus.NO_CONTENT
    assert client.delete(f"/api/v1/hooks/{hook_id}").status_code == HTTPStatus.NOT_FOUND
    assert not Webhook.objects.exists()


@pytest.mark.parametrize(
    ("abilities", "method", "path", "allowed"),
    [
        (["webhooks:read"], "get", "/api/v1/hooks", True),
        (["read"], "get", "/api/v1/hooks", True),
        (["posts:read"], "get", "/api/v1/hooks", False),
        (["webhooks:read", "posts:read"], "post", "/api/v1/hooks", False),
        (["webhooks:write"], "post", "/api/v1/hooks", False),  # a webhook sends posts: posts:read too
        (["webhooks:write", "posts:read"], "post", "/api/v1/hooks", True),
        (["*"], "post", "/api/v1/hooks", True),
    ],
)
def test_token_abilities(author, token_client, abilities, method, path, allowed):
    client = token_client(author, abilities=abilities)
    body = {"target_url": TARGET, "event": "post.created"} if method == "post" else None
    response = getattr(client, method)(path, body, format="json")
    assert (response.status_code < 400) is allowed, response.json()
    if not allowed:
        assert response.status_code == HTTPStatus.FORBIDDEN


def test_anonymous_is_401(api_client):
    assert api_client.get("/api/v1/hooks").status_code == HTTPStatus.UNAUTHORIZED


def test_revoking_the_token_disables_its_hook(author, token_client, session_client):
    client = token_client(author, abilities=["webhooks:write", "posts:read"])
    client.post("/api/v1/hooks", {"target_url": TARGET, "event": "post.published"}, format="json")
    token_id = Webhook.objects.get().created_by_token_id
    assert session_client(author).delete(f"/api/v1/tokens/{token_id}").status_code == HTTPStatus.NO_CONTENT
    hook = session_client(author).get("/api/v1/hooks").json()["data"][0]
    assert (hook["enabled"], hook["disabled_reason"]) == (False, "token_revoked")


def test_ping_deliveries_and_redeliver(author, session_client, receiver, jobs, monkeypatch):
    monkeypatch.undo()  # the receiver is reached at 127.0.0.1, no DNS
    client = session_client(author)
    created = client.post("/api/v1/hooks", {"target_url": receiver.url, "event": "post.created"}, format="json")
    hook = created.json()["data"]
    ping = client.post(f"/api/v1/hooks/{hook['id']}/ping")
    assert ping.status_code == HTTPStatus.ACCEPTED
    assert ping.json()["data"]["event"] == "ping"
    assert ping.json()["data"]["status"] == "pending"
    jobs()
    (request,) = receiver.wait_for(1)
    assert verify_at_its_time(hook["secret"], request)["type"] == "ping"

    deliveries = client.get(f"/api/v1/hooks/{hook['id']}/deliveries?per_page=10").json()
    (delivery,) = deliveries["data"]
    assert deliveries["meta"]["total"] == 1
    assert delivery["webhook_id"] == request.headers["webhook-id"]
    assert delivery["status"] == "succeeded"
    (attempt,) = delivery["attempts"]
    assert attempt["status_code"] == 200
    assert attempt["response_excerpt"] == "ok"
    assert attempt["duration_ms"] >= 0

    again = client.post(f"/api/v1/hooks/{hook['id']}/deliveries/{delivery['id']}/redeliver")
    assert again.status_code == HTTPStatus.ACCEPTED
    assert again.json()["data"]["status"] == "pending"
    jobs()
    first, second = receiver.wait_for(2)
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert client.post(f"/api/v1/hooks/{hook['id']}/deliveries/999999/redeliver").status_code == HTTPStatus.NOT_FOUND
    for odd in ["%0A", "x", "99999999999999999999999"]:
        for path in [
            f"/api/v1/hooks/{odd}",
            f"/api/v1/hooks/{odd}/deliveries",
            f"/api/v1/hooks/{hook['id']}/deliveries/{odd}/redeliver",
        ]:
            response = client.post(path) if path.endswith("redeliver") else client.get(path)
            assert response.status_code == HTTPStatus.NOT_FOUND, path
            assert response.json()["error"]["code"] == "not_found"
    assert client.get(f"/api/v1/hooks/{hook['id']}/deliveries?limit=5").status_code == 422


def test_redeliver_to_a_disabled_hook_is_409(author, session_client, make_webhook):
    from webhooks import services

    hook = make_webhook(owner=author)
    delivery = services.webhook_ping(webhook=hook)
    Delivery.objects.filter(pk=delivery.pk).update(status="failed")
    services.webhook_set_enabled(webhook=hook, enabled=False, by=author)
    Delivery.objects.filter(pk=delivery.pk).update(event=_post_event())
    response = session_client(author).post(f"/api/v1/hooks/{hook.pk}/deliveries/{delivery.pk}/redeliver")
    assert response.status_code == HTTPStatus.CONFLICT
    assert response.json()["error"]["code"] == "conflict"


def _post_event():
    from webhooks.models import WebhookEvent

    return WebhookEvent.objects.create(type="post.created", body="{}")


def test_the_schema_describes_the_hooks_and_their_payloads():
    from rest_framework.test import APIClient

    spec = APIClient().get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert {"/api/v1/hooks", "/api/v1/hooks/{id}", "/api/v1/hooks/{id}/deliveries"} <= set(spec["paths"])
    callbacks = spec["paths"]["/api/v1/hooks"]["post"]["callbacks"]
    assert set(callbacks) == {
        "post.created",
        "post.updated",
        "post.published",
        "post.unpublished",
        "post.deleted",
        "ping",
    }
    published = callbacks["post.published"]["{$request.body#/target_url}"]["post"]
    body = published["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["data"] == {"$ref": "#/components/schemas/Post"}
    assert {p["name"] for p in published["parameters"]} == {"webhook-id", "webhook-timestamp", "webhook-signature"}
