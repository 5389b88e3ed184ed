from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.utils import timezone

from posts.models import Post
from tests.concurrency import bearer, run_concurrently
from tests.conftest import postgres_only

pytestmark = pytest.mark.django_db

BODY = {"title": "Retry me", "content_raw": {"blocks": []}}


def post(client, body=BODY, key="key-1"):
    return client.post("/api/v1/posts", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_retry_with_the_same_key_and_body_replays_the_first_response(editor, token_client):
    client = token_client(editor)
    first, retry = post(client), post(client)
    assert first.status_code == retry.status_code == HTTPStatus.CREATED
    assert retry.json() == first.json()
    assert (retry["Location"], retry["ETag"]) == (first["Location"], first["ETag"])
    assert retry["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Post.objects.count() == 1


def test_same_key_with_a_different_body_is_422(editor, token_client):
    client = token_client(editor)
    post(client)
    response = post(client, {**BODY, "title": "Something else"})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "Idempotency-Key" in response.json()["error"]["details"]
    assert Post.objects.count() == 1


def test_without_a_key_each_post_creates(editor, token_client):
    client = token_client(editor)
    client.post("/api/v1/posts", BODY, format="json")
    client.post("/api/v1/posts", BODY, format="json")
    assert Post.objects.count() == 2


def test_a_failed_request_does_not_use_up_the_key(editor, token_client):
    client = token_client(editor)
    assert post(client, {"title": ""}).status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert post(client).status_code == HTTPStatus.CREATED


def test_keys_are_per_user(editor, author, token_client):
    post(token_client(editor))
    assert "Idempotent-Replayed" not in post(token_client(author))
    assert Post.objects.count() == 2


def test_keys_expire_after_24_hours(editor, token_client):
    client = token_client(editor)
    post(client)
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        assert "Idempotent-Replayed" not in post(client)
    assert Post.objects.count() == 2


@pytest.mark.parametrize("key", ["", "   ", "k" * 256])
def test_invalid_keys_are_422(editor, token_client, key):
    assert post(token_client(editor), key=key).status_code == HTTPStatus.UNPROCESSABLE_ENTITY


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_create_one_post(editor, make_token):
    _, plaintext = make_token(editor)
    responses = run_concurrently(lambda i: post(bearer(plaintext)), count=10)
    assert {r.status_code for r in responses} == {HTTPStatus.CREATED}
    assert len({r.json()["data"]["id"] for r in responses}) == 1
    assert Post.objects.count() == 1


def test_prune_command_deletes_only_expired_records(editor, token_client):
    from io import StringIO

    from django.core.management import call_command

    from posts.models import IdempotencyRecord

    client = token_client(editor)
    post(client, key="old")
    IdempotencyRecord.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))
    post(client, key="fresh")
    out = StringIO()
    call_command("pruneidempotencykeys", stdout=out)
    assert "Deleted 1 " in out.getvalue()
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]
