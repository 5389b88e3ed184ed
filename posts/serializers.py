"""Post representation: every model field, ``content_raw`` always as an object, ``author`` as
``{id, username, name}``; or only the fields a ``?fields=`` query selects."""

from __future__ import annotations

from collections.abc import Collection

from django.contrib.auth import get_user_model
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers import StrictFieldsMixin
from posts import content, services
from posts.models import Post


@extend_schema_field(
    {
        "oneOf": [
            {
                "type": "object",
                "required": ["blocks"],
                "properties": {
                    "time": {"type": "integer"},
                    "blocks": {"type": "array", "items": {"type": "object"}},
                    "version": {"type": "string"},
                },
            },
            {"type": "string", "description": "The same document as a JSON string."},
        ],
        "description": "Editor.js document, as an object or a JSON string. Always returned as an object.",
    }
)
class EditorJSField(serializers.Field):
    """Accepts an Editor.js document as an object or a JSON string; validates it with ``posts.content``."""

    def to_internal_value(self, data):
        try:
            return services.content_parse(data)
        except content.ContentError as exc:
            raise serializers.ValidationError(exc.errors) from None

    def to_representation(self, value):
        return value


class AuthorSerializer(serializers.ModelSerializer):
    # The user columns it reads (``name`` is the full name), for ``QuerySet.only()``.
    columns = ("id", "username", "first_name", "last_name")

    name = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "name"]

    def get_name(self, user) -> str:
        return user.get_full_name() or user.username


class PostSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A post. ``fields`` (names from ``FIELDS``) builds only those fields, in ``FIELDS`` order; the
    default is all of them."""

    content_raw = EditorJSField(required=False)
    author = AuthorSerializer(read_only=True)
    # The model field's validators are the slug rule; no unique validator: services allocate a free slug on
    # creation (-2, -3…) and refuse a taken one on update, inside their transaction.
    slug = serializers.CharField(
        max_length=Post._meta.get_field("slug").max_length,
        validators=Post._meta.get_field("slug").validators,
        required=False,
    )

    class Meta:
        model = Post
        fields = [
            "id",
            "type",
            "title",
            "slug",
            "excerpt",
            "content_raw",
            "content_html",
            "status",
            "published_at",
            "author",
            "meta_title",
            "meta_description",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["content_html", "created_at", "updated_at"]
        extra_kwargs = {
            "excerpt": {"max_length": services.EXCERPT_MAX_LENGTH},
        }

    def __init__(self, *args, fields: Collection[str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.selected_fields = fields

    def get_field_names(self, declared_fields, info) -> list[str]:
        names = super().get_field_names(declared_fields, info)
        if self.selected_fields is None:
            return names
        return [name for name in names if name in self.selected_fields]


class PostSerializerSchema(OpenApiSerializerExtension):
    """In the OpenAPI schema, a post in a response has no required property: ``?fields=`` may leave any out."""

    target_class = PostSerializer

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "response":
            schema.pop("required", None)
        return schema


FIELDS: tuple[str, ...] = tuple(PostSerializer.Meta.fields)
# The fields that can make a post megabytes long (see POLYCMS_POSTS["CONTENT_MAX_BYTES"]); the others are
# bounded by their maximum lengths.
CONTENT_FIELDS = frozenset({"content_raw", "content_html"})
LIST_FIELDS: tuple[str, ...] = tuple(name for name in FIELDS if name not in CONTENT_FIELDS)


def post_columns(fields: Collection[str]) -> list[str]:
    """What ``Post.objects.only()`` needs for ``PostSerializer(fields=fields)``, plus ``version`` for the
    ETag; with ``author`` the author's columns too (the caller joins them with ``select_related``)."""
    columns = ["id", "version", *(name for name in fields if name not in {"id", "author"})]
    if "author" in fields:
        columns += ["author", *(f"author__{column}" for column in AuthorSerializer.columns)]
    return columns
