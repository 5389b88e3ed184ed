"""posts.services: the publishing rules the API and the admin share."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied

from posts import services
from posts.models import Post

pytestmark = pytest.mark.django_db

BACKDATED = datetime(2001, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"status": "published"}, "status", "You may not publish, schedule or unpublish posts."),
        ({"status": "published", "published_at": BACKDATED}, "status", "You may not publish, schedule or unpublish"),
        ({"published_at": BACKDATED}, "published_at", "You may not set published_at: only users who may publish"),
    ],
)
def test_check_publishing_names_the_field_a_non_publisher_may_not_write(contributor, changes, field, message):
    with pytest.raises(services.PublishingDenied) as denied:
        services.check_publishing(contributor, None, changes)
    assert isinstance(denied.value, PermissionDenied)
    assert denied.value.field == field
    assert str(denied.value).startswith(message)


def test_check_publishing_lets_a_publisher_date_a_draft(author):
    services.check_publishing(author, None, {"title": "t", "published_at": BACKDATED})


def test_a_contributor_cannot_backdate_through_the_services(contributor, editor):
    with pytest.raises(services.PublishingDenied):
        services.post_create(author=contributor, data={"title": "t", "published_at": BACKDATED})
    draft = services.post_create(author=contributor, data={"title": "t", "published_at": None})
    with pytest.raises(services.PublishingDenied):
        services.post_update(post_id=draft.pk, user=contributor, data={"published_at": BACKDATED})

    published = services.post_update(post_id=draft.pk, user=editor, data={"status": Post.Status.PUBLISHED})

    assert published.published_at is not None and published.published_at > BACKDATED


def test_every_write_records_who_made_it(author, editor):
    post = services.post_create(author=author, data={"title": "t"})
    assert post.updated_by == author
    services.post_update(post_id=post.pk, user=editor, data={"title": "Edited"})
    assert Post.objects.get(pk=post.pk).updated_by == editor
