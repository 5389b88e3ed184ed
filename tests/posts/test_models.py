"""The post rules that live on the model: the slug rule, "live", and what an id looks like."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from posts.forms import PostAdminForm
from posts.models import MAX_ID, Post, parse_id
from posts.serializers import PostSerializer

BAD_SLUGS = ["Hello", "hello_world", "hello--world", "-hello", "hello-", "héllo", "hello world", "hello\n"]
SLUG_MESSAGE = "Use lowercase letters, digits and single hyphens (e.g. hello-via-api)."


@pytest.mark.parametrize("slug", BAD_SLUGS)
def test_the_model_field_refuses_a_bad_slug(slug, user):
    post = Post(title="t", slug=slug, author=user)
    with pytest.raises(ValidationError) as caught:
        post.full_clean()
    assert caught.value.message_dict["slug"] == [SLUG_MESSAGE]


@pytest.mark.parametrize("slug", BAD_SLUGS[:-1])  # both trim surrounding whitespace first
def test_the_api_and_the_admin_inherit_the_model_rule(slug):
    serializer = PostSerializer(data={"title": "t", "slug": slug})
    assert not serializer.is_valid()
    assert serializer.errors["slug"] == [SLUG_MESSAGE]
    form = PostAdminForm(data={"title": "t", "slug": slug, "type": "post", "status": "draft"})
    assert not form.is_valid()
    assert form.errors["slug"] == [SLUG_MESSAGE]


@pytest.mark.parametrize(
    ("status", "published_delta", "live"),
    [
        ("published", timedelta(minutes=-1), True),
        ("published", timedelta(minutes=1), False),  # scheduled
        ("published", None, False),
        ("draft", timedelta(minutes=-1), False),
        ("archived", timedelta(minutes=-1), False),
    ],
)
def test_live_is_one_rule_in_the_database_and_in_python(user, status, published_delta, live):
    now = timezone.now()
    post = Post.objects.create(
        title="t",
        slug="t",
        author=user,
        status=status,
        published_at=None if published_delta is None else now + published_delta,
    )
    assert post.is_live(now) is live
    assert Post.objects.live(now).filter(pk=post.pk).exists() is live


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        ("42", 42),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("²", None),
        ("-1", None),
        ("a1", None),
        ("", None),
    ],
)
def test_parse_id(value, expected):
    assert parse_id(value) == expected
