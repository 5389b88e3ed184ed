"""posts/selectors.py: the prepared reads see exactly what Post.objects.visible_to() sees."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework.test import APIClient

from api.cursors import ordering_keys
from posts import selectors
from posts.filters import DEFAULT_ORDERING
from posts.models import Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed(author, contributor, editor):
    """Posts of every visibility: live, scheduled, draft and archived, by two authors."""
    now = timezone.now()
    rows = []
    for i, owner in enumerate([author, contributor] * 4):
        status, published_at = [
            ("published", now - timedelta(hours=1)),
            ("published", now + timedelta(hours=1)),
            ("draft", None),
            ("archived", now - timedelta(days=1)),
        ][i % 4]
        rows.append(
            Post(
                title=f"P{i}",
                slug=f"p-{i}",
                author=owner,
                status=status,
                published_at=published_at,
                created_at=now - timedelta(minutes=i),
            )
        )
    return Post.objects.bulk_create(rows)


@pytest.mark.parametrize("who", ["anonymous", "author", "contributor", "editor"])
def test_prepared_reads_see_what_visible_to_sees(mixed, request, who):
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    expected = list(Post.objects.visible_to(user).order_by(*DEFAULT_ORDERING).values_list("id", "title"))
    rows = selectors.VisiblePostRows(user, ["id", "title"], timezone.now())
    assert rows.fetch(0, 100) == expected
    assert rows.count(100) == len(expected)
    for post in mixed:
        row = selectors.visible_post_row(user, {"pk": post.pk}, ["id", "title"])
        assert (row is not None) == ((post.pk, post.title) in expected)
        assert selectors.visible_post_row(user, {"slug": post.slug}, ["id"]) == (row and row[:1])


def test_the_time_a_list_is_read_for_decides_which_scheduled_posts_are_out(mixed):
    later = timezone.now() + timedelta(hours=2)
    now_ids = [row[0] for row in selectors.VisiblePostRows(AnonymousUser(), ["id"], timezone.now()).fetch(0, 100)]
    later_ids = [row[0] for row in selectors.VisiblePostRows(AnonymousUser(), ["id"], later).fetch(0, 100)]
    assert len(later_ids) == len(now_ids) + 2


def test_a_cursor_page_follows_the_keys_nulls_included(mixed, editor):
    keys = ordering_keys(Post, DEFAULT_ORDERING)
    rows = selectors.VisiblePostRows(editor, ["id"], timezone.now())
    first = rows.fetch(0, 3, keys=keys)
    after = rows.key_values(first[-1], keys)
    rest = rows.fetch(0, 100, keys=keys, after=after)
    assert [row[0] for row in first + rest] == list(
        Post.objects.order_by(*DEFAULT_ORDERING).values_list("id", flat=True)
    )


def test_the_list_validator_changes_with_every_write_and_when_a_scheduled_post_comes_out(mixed, author):
    now = timezone.now()
    before = selectors.list_validator(now)
    assert selectors.list_validator(now) == before
    Post.objects.filter(pk=mixed[0].pk).update(title="Changed")
    changed = selectors.list_validator(now)
    assert changed != before
    with time_machine.travel(now + timedelta(hours=2)):
        assert selectors.list_validator(timezone.now()) != changed
    author.first_name = "Renamed"
    author.save()
    assert selectors.list_validator(now) != changed
    Post.objects.filter(pk=mixed[1].pk).delete()
    assert selectors.list_validator(now) not in {before, changed}


def test_the_list_validator_read_with_rows_is_the_one_read_alone(mixed):
    now = timezone.now()
    (row,) = selectors.VisiblePostRows(AnonymousUser(), ["id", selectors.LIST_VALIDATOR], now).fetch(0, 1)
    assert row[1] == selectors.list_validator(now)
    annotated = selectors.with_list_validator(Post.objects.all(), now).values_list(selectors.LIST_VALIDATOR, flat=True)
    assert annotated[0] == selectors.list_validator(now)


# ---------------------------------------------------------------------------- counts kept under the validator
def list_total(client) -> int:
    return client.get("/api/v1/posts?per_page=2").json()["meta"]["total"]


def test_a_list_count_is_kept_until_the_validator_changes(mixed, editor, token_client, django_assert_num_queries):
    anonymous = APIClient()
    assert list_total(anonymous) == 2
    with django_assert_num_queries(1):  # the page; its count is the one kept
        assert list_total(anonymous) == 2
    token_client(editor).post("/api/v1/posts", {"title": "New", "status": "published"}, format="json")
    with django_assert_num_queries(2):  # a write: counted again
        assert list_total(anonymous) == 3
    with time_machine.travel(timezone.now() + timedelta(hours=2)):  # the scheduled posts come out
        assert list_total(anonymous) == 5


def test_callers_who_see_different_posts_do_not_share_a_count(mixed, author, contributor, token_client):
    assert list_total(token_client(author)) == 4  # their two live posts and their two drafts
    assert list_total(token_client(contributor)) == 6  # the two live posts and their own four
    assert list_total(APIClient()) == 2


def test_without_a_cache_a_list_is_counted(mixed, monkeypatch):
    from django.core.cache import caches

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    # On the backend's class: the `cache` proxy forwards setattr but monkeypatch's undo misreads it.
    backend = type(caches["default"])
    monkeypatch.setattr(backend, "get", broken)
    monkeypatch.setattr(backend, "set", broken)
    assert list_total(APIClient()) == 2
