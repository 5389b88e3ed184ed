"""Post representation: every model field, ``content_raw`` always as an object, ``author`` as
``{id, username, name}``."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from posts import content, services
from posts.models import SLUG_PATTERN, Post


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
    name = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "name"]

    def get_name(self, user) -> str:
        return user.get_full_name() or user.username


class PostSerializer(serializers.ModelSerializer):
    content_raw = EditorJSField(required=False)
    author = AuthorSerializer(read_only=True)
    slug = serializers.RegexField(
        SLUG_PATTERN,
        max_length=255,
        required=False,
        error_messages={"invalid": "Use lowercase letters, digits and single hyphens (e.g. hello-via-api)."},
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
