"""Concurrent writers on a real PostgreSQL: no 500s, no lost updates."""

from http import HTTPStatus

import pytest

from posts.models import Post
from tests.concurrency import bearer, run_concurrently
from tests.conftest import postgres_only

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]

WRITERS = 20


def test_concurrent_creates_with_one_title_get_distinct_slugs(editor, make_token):
    _, plaintext = make_token(editor)
    responses = run_concurrently(
        lambda i: bearer(plaintext).post("/api/v1/posts", {"title": "Breaking News"}, format="json")
    )
    assert [r.status_code for r in responses] == [HTTPStatus.CREATED] * WRITERS
    slugs = {r.json()["data"]["slug"] for r in responses}
    assert len(slugs) == WRITERS
    assert slugs == {"breaking-news", *(f"breaking-news-{n}" for n in range(2, WRITERS + 1))}


def test_concurrent_patches_with_one_if_match_let_exactly_one_win(editor, make_token):
    _, plaintext = make_token(editor)
    client = bearer(plaintext)
    post = client.post("/api/v1/posts", {"title": "Original"}, format="json")
    url, etag = f"/api/v1/posts/{post.json()['data']['id']}", post["ETag"]

    responses = run_concurrently(
        lambda i: bearer(plaintext).patch(url, {"title": f"Writer {i}"}, format="json", HTTP_IF_MATCH=etag)
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [HTTPStatus.OK] + [HTTPStatus.PRECONDITION_FAILED] * (WRITERS - 1)
    winner = next(r for r in responses if r.status_code == HTTPStatus.OK).json()["data"]["title"]
    stored = Post.objects.get(pk=post.json()["data"]["id"])
    assert (stored.title, stored.version) == (winner, 2)
