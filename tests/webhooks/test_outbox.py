"""The transactional outbox: which events a change writes, and what it costs ``POST /api/v1/posts``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from posts.services import post_create, post_delete, post_update
from webhooks import outbox, services
from webhooks.models import WebhookEvent

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


def state(status="draft", published_at=None) -> outbox.PostState:
    return outbox.PostState(1, "a", 7, status, published_at)


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (None, state(), ["post.created"]),
        (None, state("published", NOW), ["post.created", "post.published"]),
        (None, state("published", NOW + timedelta(hours=1)), ["post.created", "post.published@later"]),
        (state(), state(), ["post.updated"]),
        (state(), state("published", NOW), ["post.updated", "post.published"]),
        (state("published", NOW), state("published", NOW), ["post.updated"]),
        (state("published", NOW), state("archived", NOW), ["post.updated", "post.unpublished"]),
        (
            state("published", NOW),
            state("published", NOW + timedelta(days=1)),
            ["post.updated", "post.unpublished", "post.published@later"],
        ),
        (
            state("published", NOW + timedelta(days=1)),
            state("published", NOW + timedelta(days=1)),
            ["post.updated"],  # already scheduled for that time
        ),
        (state("published", NOW), None, ["post.deleted"]),
    ],
)
def test_change_events(before, after, expected):
    found = outbox.change_events(before, after, NOW)
    assert [f"{event}@later" if at > NOW else event for event, at in found] == expected


def test_no_event_is_written_while_no_webhook_is_enabled(author):
    post = post_create(author=author, data={"title": "Quiet", "status": "published"})
    post_update(post_id=post.pk, user=author, data={"title": "Still quiet"})
    post_delete(post_id=post.pk, user=author)
    assert not WebhookEvent.objects.exists()


def test_a_scheduled_publication_is_written_even_without_webhooks(author):
    later = datetime.now(UTC) + timedelta(days=1)
    post_create(author=author, data={"title": "Later", "status": "published", "published_at": later})
    (event,) = WebhookEvent.objects.all()
    assert (event.type, event.available_at, event.body) == ("post.published", later, "")


def test_the_event_is_in_the_changes_transaction(author, make_webhook):
    make_webhook(owner=author)
    with CaptureQueriesContext(connection) as queries:
        post_create(author=author, data={"title": "Atomic"})
    statements = [q["sql"] for q in queries.captured_queries]
    insert_post = next(i for i, sql in enumerate(statements) if sql.startswith('INSERT INTO "posts_post"'))
    insert_event = next(i for i, sql in enumerate(statements) if 'INSERT INTO "webhooks_webhookevent"' in sql)
    release = next(i for i, sql in enumerate(statements) if i > insert_post and sql.startswith("RELEASE SAVEPOINT"))
    assert insert_post < insert_event < release


def create_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/posts", {"title": "Counted"}, format="json")
    assert response.status_code == 201
    return [q["sql"] for q in queries.captured_queries]


def test_an_event_costs_post_posts_one_query_without_webhooks(author, token_client, make_webhook):
    client = token_client(author)
    create_queries(client)  # warm: content types, permissions caches
    without = create_queries(client)
    assert sum("webhooks_" in sql for sql in without) == 1  # SELECT 1 … FROM webhooks_webhook WHERE enabled LIMIT 1
    hook = make_webhook(owner=author)
    with_webhook = create_queries(client)
    # That query and one INSERT of the event (the workers' relay dispatches it: no job per change), and nothing
    # else: the event's data is the post as the response shows it, made without a query.
    assert len(with_webhook) == len(without) + 1
    ours = [sql for sql in with_webhook if "webhooks_" in sql or "dbtaskresult" in sql]
    assert len(ours) == 2
    assert sum(sql.startswith("INSERT") for sql in ours) == 1
    services.webhook_set_enabled(webhook=hook, enabled=False, by=author)
    assert len(create_queries(client)) == len(without)
