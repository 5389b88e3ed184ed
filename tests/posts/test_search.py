"""?search= on /api/v1/posts: PostgreSQL full-text search, ranked within a window of the newest matches;
a substring match elsewhere."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from posts import search
from posts.models import Post
from tests.conftest import postgres_only

pytestmark = pytest.mark.django_db


def publish(author, *rows: dict) -> list[Post]:
    now = timezone.now()
    posts = [
        Post(slug=f"s-{i}", author=author, status="published", published_at=now - timedelta(days=1),
             created_at=now - timedelta(minutes=i), **row)
        for i, row in enumerate(rows)
    ]  # fmt: skip
    for post in posts:
        post.content_text = post.content_text or ""
    return Post.objects.bulk_create(posts)


def found(query: str) -> list[str]:
    response = APIClient().get(f"/api/v1/posts?{query}")
    assert response.status_code == HTTPStatus.OK, response.content
    return [post["title"] for post in response.json()["data"]]


def test_search_matches_title_excerpt_and_text_on_every_database(author):
    publish(
        author,
        {"title": "Release notes"},
        {"title": "Other", "excerpt": "The release is out"},
        {"title": "Third", "content_text": "about the release"},
        {"title": "Unrelated"},
    )
    assert sorted(found("search=release")) == ["Other", "Release notes", "Third"]


@postgres_only
def test_words_are_stemmed_phrases_kept_and_exclusions_honoured(author):
    publish(
        author,
        {"title": "Publishing guide", "content_text": "how we published the quick brown fox"},
        {"title": "Brown quick fox", "content_text": "words in another order"},
        {"title": "Printer news", "content_text": "nothing else"},
    )
    assert found("search=published&ordering=title") == ["Publishing guide"]  # publishing ~ published
    assert found('search="quick brown"') == ["Publishing guide"]
    assert sorted(found("search=fox -guide")) == ["Brown quick fox"]
    assert sorted(found("search=fox or printers")) == ["Brown quick fox", "Printer news", "Publishing guide"]


@postgres_only
def test_without_an_ordering_the_most_relevant_come_first_title_over_text(author):
    publish(
        author,
        {"title": "Newest, mentions it in passing", "content_text": "a tutorial somewhere"},
        {"title": "Older", "excerpt": "a tutorial in the excerpt"},
        {"title": "Tutorial: the real one"},
    )
    assert found("search=tutorial") == ["Tutorial: the real one", "Older", "Newest, mentions it in passing"]
    assert found("search=tutorial&type=post") == found("search=tutorial")  # with other filters too
    assert found("search=tutorial&ordering=-created_at") == [
        "Newest, mentions it in passing",
        "Older",
        "Tutorial: the real one",
    ]
    # A cursor walks field orderings only: newest first.
    assert found("search=tutorial&cursor=")[0] == "Newest, mentions it in passing"


@postgres_only
def test_a_search_ranks_and_counts_a_window_of_the_newest_matches(author, settings, django_assert_num_queries):
    settings.POLYCMS_POSTS = {"SEARCH_WINDOW": 3}
    publish(author, *({"title": f"Match {i}"} for i in range(5)), {"title": "Other"})
    for query in ("search=match&per_page=2", "search=match&per_page=2&type=post"):
        with django_assert_num_queries(1):  # the ranked window, counted with it; no COUNT
            body = APIClient().get(f"/api/v1/posts?{query}").json()
        assert body["meta"]["total"] == 3 and body["links"]["next"]
    with django_assert_num_queries(3):  # past the window no rows: the validator and the count on their own
        assert APIClient().get("/api/v1/posts?search=match&page=3&per_page=2").json()["meta"]["total"] == 3
    assert sorted(found("search=match&per_page=10")) == ["Match 0", "Match 1", "Match 2"]
    assert len(found("search=match&ordering=-created_at")) == 5  # every match, in the order asked for
    ordered = APIClient().get("/api/v1/posts?search=match&ordering=-created_at&per_page=2").json()
    assert (ordered["meta"]["total"], ordered["meta"]["total_exact"]) == (4, False)  # counted up to the window


@postgres_only
def test_the_search_vector_follows_every_write(author, editor, token_client):
    (post,) = publish(author, {"title": "Aardvark"})
    assert found("search=aardvark") == ["Aardvark"]
    token_client(editor).patch(f"/api/v1/posts/{post.pk}", {"title": "Zebra"}, format="json")
    assert found("search=aardvark") == []
    assert found("search=zebras") == ["Zebra"]


@postgres_only
def test_search_uses_the_gin_index(author):
    publish(author, {"title": "Indexed"})
    queryset = search.matching(Post.objects.all(), "indexed").values("pk")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is too small for the planner to bother
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "post_search_idx" in plan


def test_stop_words_alone_find_nothing_rather_than_everything_on_postgresql(author):
    publish(author, {"title": "The one"})
    assert found("search=the") == ([] if search.full_text() else ["The one"])


@pytest.mark.parametrize("query", ["search=" + "x" * 201, "search=x" + "&search=y"])
def test_a_bad_search_is_422(query):
    response = APIClient().get(f"/api/v1/posts?{query}")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "search" in response.json()["error"]["details"]
