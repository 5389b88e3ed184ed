"""Concurrent writers on a real PostgreSQL: unique slugs, one tag per name, and a tree that stays a tree (no
cycle, every path and depth right), with no 5xx."""

from __future__ import annotations

import random
from http import HTTPStatus

import pytest

from taxonomy.models import Category, Tag
from tests.concurrency import bearer, run_concurrently
from tests.conftest import postgres_only

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]

WRITERS = 20


@pytest.fixture
def plaintext(make_user, make_token) -> str:
    return make_token(make_user("eddie", role="Editor"))[1]


def assert_the_tree_is_consistent() -> None:
    """Every category's path is its parents' chain and its depth that chain's length: no cycle, nothing stale."""
    categories = {category.pk: category for category in Category.objects.all()}
    for category in categories.values():
        chain, parent_id = [], category.parent_id
        while parent_id is not None:
            assert parent_id not in chain and parent_id != category.pk, "cycle"
            chain.insert(0, parent_id)
            parent_id = categories[parent_id].parent_id
        assert (category.ancestor_ids, category.depth) == (chain, len(chain)), category.slug


def test_concurrent_creates_of_one_category_name_get_distinct_slugs(plaintext):
    responses = run_concurrently(
        lambda i: bearer(plaintext).post("/api/v1/categories", {"name": "Breaking News"}, format="json")
    )
    assert [r.status_code for r in responses] == [HTTPStatus.CREATED] * WRITERS
    slugs = {r.json()["data"]["slug"] for r in responses}
    assert slugs == {"breaking-news", *(f"breaking-news-{n}" for n in range(2, WRITERS + 1))}


def test_concurrent_creates_of_tags_named_alike_get_distinct_slugs(plaintext):
    responses = run_concurrently(
        lambda i: bearer(plaintext).post("/api/v1/tags", {"name": f"Go{'!' * (i + 1)}"}, format="json")
    )
    assert [r.status_code for r in responses] == [HTTPStatus.CREATED] * WRITERS
    assert {r.json()["data"]["slug"] for r in responses} == {"go", *(f"go-{n}" for n in range(2, WRITERS + 1))}


def test_concurrent_creates_of_one_tag_name_make_one_tag_and_name_it_to_the_others(plaintext):
    responses = run_concurrently(
        lambda i: bearer(plaintext).post("/api/v1/tags", {"name": "Python" if i % 2 else "PYTHON"}, format="json")
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [HTTPStatus.CREATED] + [HTTPStatus.UNPROCESSABLE_ENTITY] * (WRITERS - 1)
    assert Tag.objects.count() == 1
    refused = [r.json()["error"]["details"]["name"][0] for r in responses if r.status_code != HTTPStatus.CREATED]
    assert all(message.startswith("A tag with this name already exists") for message in refused)


def test_two_opposite_moves_at_once_never_make_a_cycle(plaintext, make_category):
    for round_ in range(5):
        a, b = make_category(f"A{round_}"), make_category(f"B{round_}")
        moves = [(a, b), (b, a)] * (WRITERS // 2)
        responses = run_concurrently(
            lambda i: bearer(plaintext).patch(
                f"/api/v1/categories/{moves[i][0].pk}", {"parent": moves[i][1].pk}, format="json"
            )
        )
        assert {r.status_code for r in responses} <= {HTTPStatus.OK, HTTPStatus.UNPROCESSABLE_ENTITY}
        assert_the_tree_is_consistent()


def test_random_moves_and_creates_at_once_keep_the_tree_consistent(plaintext, make_category):
    made = [make_category(f"Seed {i}") for i in range(8)]
    ids = [category.pk for category in made]
    rng = random.Random(16)
    plan = [(rng.choice(ids), rng.choice([None, *ids]), rng.random() < 0.3) for _ in range(WRITERS)]

    def act(i: int):
        category_id, parent_id, create = plan[i]
        client = bearer(plaintext)
        if create:
            return client.post("/api/v1/categories", {"name": f"New {i}", "parent": category_id}, format="json")
        return client.patch(f"/api/v1/categories/{category_id}", {"parent": parent_id}, format="json")

    responses = run_concurrently(act)
    assert {r.status_code for r in responses} <= {HTTPStatus.OK, HTTPStatus.CREATED, HTTPStatus.UNPROCESSABLE_ENTITY}
    assert_the_tree_is_consistent()


def test_concurrent_posts_naming_one_new_tag_share_it(make_user, make_token):
    _, plaintext = make_token(make_user("ann", role="Author"))
    body = {"title": "Breaking", "tags": [{"name": "Election night"}]}
    responses = run_concurrently(lambda i: bearer(plaintext).post("/api/v1/posts", body, format="json"))
    assert [r.status_code for r in responses] == [HTTPStatus.CREATED] * WRITERS
    (tag,) = Tag.objects.all()
    assert {r.json()["data"]["tags"][0]["id"] for r in responses} == {tag.pk}
    assert tag.posts.count() == WRITERS
