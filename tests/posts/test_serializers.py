"""posts/serializers.py: the lean representation of reads gives exactly what PostSerializer gives."""

import datetime

import pytest
from django.utils import timezone

from posts.models import Post
from posts.serializers import FIELDS, LIST_FIELDS, PostSerializer, post_columns, post_representation

pytestmark = pytest.mark.django_db

FIELD_SETS = [
    FIELDS,
    LIST_FIELDS,
    ("id", "title", "slug", "excerpt", "published_at"),
    ("author",),
    ("content_raw", "created_at"),
    *((name,) for name in FIELDS),
]


@pytest.fixture
def posts(make_user):
    named = make_user("nina", first_name="Nina", last_name="Ng")
    unnamed = make_user("ursula")
    document = {"blocks": [{"type": "paragraph", "data": {"text": "Hi <b>there</b>"}}], "version": "2.31"}
    on_the_second = datetime.datetime(2026, 5, 1, 12, 0, 0, tzinfo=datetime.UTC)  # no microseconds
    rows = [
        Post(
            title="Published",
            slug="a",
            author=named,
            status="published",
            published_at=timezone.now(),
            content_raw=document,
            excerpt="Ex",
            meta_title="M",
            type="page",
        ),
        Post(title="Draft", slug="b", author=unnamed, created_at=on_the_second, updated_at=on_the_second),
    ]
    for post in rows:
        post.render_content()
    return Post.objects.bulk_create(rows)


@pytest.mark.parametrize("fields", FIELD_SETS, ids=lambda fields: ",".join(fields))
def test_the_representation_of_rows_and_posts_is_the_serializer_s(posts, fields):
    representation = post_representation(frozenset(fields))
    rows = Post.objects.order_by("pk").values_list(*representation.columns)
    loaded = Post.objects.order_by("pk").only(*post_columns(fields))
    if "author" in fields:
        loaded = loaded.select_related("author")
    expected = [PostSerializer(post, fields=frozenset(fields)).data for post in Post.objects.order_by("pk")]
    assert representation.from_rows(rows) == expected
    assert [representation.from_post(post) for post in loaded] == expected
    assert [list(data) for data in expected] == [[name for name in FIELDS if name in fields]] * 2


def test_a_field_set_is_planned_once_and_reads_only_its_columns():
    light = frozenset({"id", "title", "slug", "excerpt", "published_at"})
    assert post_representation(light) is post_representation(frozenset(light))
    assert post_representation(light).columns == ["id", "version", "title", "slug", "excerpt", "published_at"]
    assert post_representation(frozenset({"author"})).columns == [
        "id",
        "version",
        "author__id",
        "author__username",
        "author__first_name",
        "author__last_name",
    ]
