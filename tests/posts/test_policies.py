"""posts.policies: which changes need ``posts.publish_post``."""

from datetime import UTC, datetime

import pytest

from posts import policies
from posts.models import Post

DATE = datetime(2030, 1, 1, tzinfo=UTC)
OTHER_DATE = datetime(2001, 1, 1, tzinfo=UTC)


def stored(status: str = Post.Status.DRAFT, published_at: datetime | None = None) -> Post:
    return Post(title="t", slug="t", status=status, published_at=published_at)


@pytest.mark.parametrize(
    ("post", "changes", "expected"),
    [
        (None, {}, False),
        (None, {"published_at": None}, False),
        (None, {"published_at": DATE}, True),
        (stored(), {"title": "x"}, False),
        (stored(), {"published_at": None}, False),
        (stored(), {"published_at": DATE}, True),
        (stored(published_at=DATE), {"published_at": DATE}, False),
        (stored(published_at=DATE), {"published_at": OTHER_DATE}, True),
        (stored(published_at=DATE), {"published_at": None}, True),
        (stored(Post.Status.PUBLISHED, DATE), {"published_at": OTHER_DATE}, True),
    ],
)
def test_sets_published_at_is_any_new_date_whatever_the_status(post, changes, expected):
    assert policies.sets_published_at(post, changes) is expected


@pytest.mark.parametrize(
    ("post", "changes", "expected"),
    [
        (None, {"status": Post.Status.DRAFT, "published_at": DATE}, False),
        (None, {"status": Post.Status.PUBLISHED}, True),
        (stored(), {"published_at": DATE}, False),
        (stored(), {"status": Post.Status.ARCHIVED}, False),
        (stored(Post.Status.PUBLISHED, DATE), {"status": Post.Status.DRAFT}, True),
        (stored(Post.Status.PUBLISHED, DATE), {"published_at": OTHER_DATE}, True),
        (stored(Post.Status.PUBLISHED, DATE), {"title": "x", "published_at": DATE}, False),
    ],
)
def test_publishing_change_is_a_status_change_to_or_from_published_or_a_new_date_on_a_published_post(
    post, changes, expected
):
    assert policies.publishing_change(post, changes) is expected
