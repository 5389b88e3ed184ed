"""api/statements.py: a queryset compiled once, run with each request's values."""

import datetime

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api import statements
from posts.models import Post
from tests.conftest import postgres_only

pytestmark = pytest.mark.django_db

STAND_IN = datetime.datetime(1971, 1, 1, 0, 0, 0, 424242, tzinfo=datetime.UTC)


def test_a_statement_runs_with_each_call_s_values_and_converts_columns_as_the_orm_does(author):
    now = timezone.now()
    old = Post.objects.create(title="Old", slug="old", author=author, created_at=now - datetime.timedelta(days=2))
    Post.objects.create(title="New", slug="new", author=author, content_raw={"blocks": [{"type": "x"}]})
    queryset = Post.objects.filter(created_at__gte=STAND_IN, author_id=2**62).values_list("title", "content_raw")
    statement = statements.prepare(queryset, connection.alias, since=STAND_IN, author=2**62)
    assert statement.rows(since=now - datetime.timedelta(days=1), author=author.pk) == [
        ("New", {"blocks": [{"type": "x"}]})
    ]
    assert {row[0] for row in statement.rows(since=old.created_at, author=author.pk)} == {"Old", "New"}
    assert statement.count().rows(since=old.created_at, author=author.pk) == [(2,)]


def test_a_stand_in_the_orm_folds_into_the_sql_cannot_be_replayed():
    queryset = Post.objects.filter(Q(pk__in=[]) | Q(title="x"))
    with pytest.raises(ValueError, match="not a parameter"):
        statements.prepare(queryset, connection.alias, ids=2**62)


def test_a_statement_is_logged_like_any_query(author):
    statement = statements.prepare(Post.objects.filter(pk=2**62).values_list("id"), connection.alias, pk=2**62)
    for _ in range(2):  # prepared by PostgreSQL on the first run, run by name after
        with CaptureQueriesContext(connection) as captured:
            statement.rows(pk=1)
        assert captured.captured_queries[0]["sql"].startswith('SELECT "posts_post"."id"')


@postgres_only
def test_postgresql_prepares_a_statement_unless_it_is_planned_per_run():
    prepared = statements.prepare(Post.objects.filter(slug="prepared").values_list("id"), connection.alias)
    per_run = statements.prepare(Post.objects.filter(excerpt="per run").values_list("id"), connection.alias)
    for _ in range(6):  # past the five runs after which PostgreSQL may settle on a generic plan
        prepared.rows()
        per_run.planned_per_run().rows()
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        texts = " ".join(row[0] for row in cursor.fetchall())
    assert '"posts_post"."slug" = $1' in texts
    assert '"posts_post"."excerpt" = $1' not in texts


@postgres_only
def test_other_queries_on_the_connection_are_neither_prepared_nor_remembered(author):
    statement = statements.prepare(Post.objects.filter(pk=2**62).values_list("id"), connection.alias, pk=2**62)
    statement.rows(pk=1)
    big = "x" * 200_000
    for n in range(3):  # client-side binding: each INSERT's text holds its values
        Post.objects.create(title=f"Big {n}", slug=f"big-{n}", author=author, excerpt=big)
    statement.rows(pk=1)

    raw = connection.connection
    assert raw.prepare_threshold is None  # Django's: no automatic preparation
    # psycopg counted none of the INSERTs (with a threshold set it keeps the last hundred distinct queries'
    # text, values included: what made a worker grow by the size of every large document it saved).
    assert not raw._prepared._counts
    assert len(raw._prepared._names) == 1  # the statement, still prepared
