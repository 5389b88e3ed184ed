"""api/cursors.py: signed cursors and the keyset that follows them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api import cursors
from api.exceptions import ValidationError
from posts.models import Post
from tests.conftest import postgres_only

KEYS = cursors.ordering_keys(Post, ["-created_at", "-id"])


def test_ordering_keys_stop_at_the_first_unique_field_and_know_nullable_ones():
    keys = cursors.ordering_keys(Post, ["published_at", "-id", "title"])
    assert [(k.name, k.descending, k.nullable) for k in keys] == [("published_at", False, True), ("id", True, False)]
    assert [k.spec for k in cursors.ordering_keys(Post, ["updated_at", "id", "-id"])] == ["updated_at", "id"]


def test_an_ordering_without_a_unique_field_cannot_be_walked():
    with pytest.raises(ValueError, match="no unique field"):
        cursors.ordering_keys(Post, ["title", "created_at"])


def test_a_cursor_round_trips_its_values_to_the_microsecond_nulls_included():
    values = [datetime.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC), 42]
    assert cursors.decode(Post, KEYS, cursors.encode(KEYS, values)) == values
    keys = cursors.ordering_keys(Post, ["published_at", "id"])
    assert cursors.decode(Post, keys, cursors.encode(keys, [None, 7])) == [None, 7]


@pytest.mark.parametrize("cursor", ["", "abc", "e30:1tQx:abc", "a" * 300])
def test_a_cursor_not_made_here_is_a_validation_error(cursor):
    with pytest.raises(ValidationError) as refused:
        cursors.decode(Post, KEYS, cursor)
    assert refused.value.detail["cursor"][0].startswith("Invalid cursor")


def test_a_cursor_for_another_ordering_is_a_validation_error_naming_both():
    cursor = cursors.encode(cursors.ordering_keys(Post, ["title", "-id"]), ["T", 3])
    with pytest.raises(ValidationError, match="walks the ordering title,-id, not -created_at,-id"):
        cursors.decode(Post, KEYS, cursor)


@pytest.mark.django_db
def test_the_keyset_starts_at_the_cursor_in_sql_the_index_can_use():
    after = [datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC), 42]
    with CaptureQueriesContext(connection) as captured:
        list(Post.objects.filter(cursors.keyset_filter(KEYS, after)).order_by("-created_at", "-id")[:5])
    where = captured.captured_queries[0]["sql"].split("WHERE", 1)[1]
    # created_at <= v AND (created_at < v OR (created_at = v AND id < 42)): the first part is one index range
    assert where.lstrip(" (").startswith('"posts_post"."created_at" <=')


@postgres_only
@pytest.mark.django_db
def test_on_postgresql_a_cursor_page_is_an_index_range_scan():
    after = [datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC), 42]
    queryset = Post.objects.filter(cursors.keyset_filter(KEYS, after)).order_by("-created_at", "-id")[:21]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is too small for the planner to bother
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "post_created_idx" in plan
    assert "Index Cond: (created_at <=" in plan
