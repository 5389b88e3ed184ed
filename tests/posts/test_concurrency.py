"""Concurrent writers on a real PostgreSQL: no 500s, no lost updates."""

from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from threading import Barrier

import pytest
from django.db import connections
from rest_framework.test import APIClient

from posts.models import Post
from tests.conftest import postgres_only

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]

WRITERS = 20


def run_concurrently(action, count: int = WRITERS) -> list:
    barrier = Barrier(count)

    def worker(index: int):
        try:
            barrier.wait()
            return action(index)
        finally:
            connections.close_all()  # each thread has its own connection

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(worker, range(count)))


def bearer(plaintext: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


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
