"""Media representations. ``MediaSerializer`` is the library's item; ``summary()`` is the shorter object a post
embeds as its ``featured_media`` (``media.fields``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers import StrictFieldsMixin
from media import selectors
from media.models import ALT_TEXT_MAX_LENGTH, CAPTION_MAX_LENGTH, Media

RENDITION_SCHEMA = {
    "type": "object",
    "required": ["url", "width", "height", "status"],
    "properties": {
        "url": {"type": "string", "format": "uri", "nullable": True, "description": "null until it is made."},
        "width": {"type": "integer"},
        "height": {"type": "integer"},
        "status": {"type": "string", "enum": ["ready", "pending", "failed"]},
    },
}
RENDITIONS_SCHEMA = {
    "type": "object",
    "additionalProperties": RENDITION_SCHEMA,
    "description": "Each rendition of an image by name (POLYCMS_MEDIA['RENDITIONS'], '<name>_webp' for WebP): made "
    "in the background after the upload, 'pending' until then. Empty for documents.",
}
# The fields of the summary a post embeds, in order.
SUMMARY_FIELDS = ("id", "url", "name", "type", "mime_type", "width", "height", "alt_text", "caption", "renditions")


@extend_schema_field(RENDITIONS_SCHEMA)
class RenditionsField(serializers.Field):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, media: Media) -> dict[str, Any]:
        return selectors.renditions_of(media)


class UploaderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class MediaSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A media item. Only ``alt_text`` and ``caption`` are written after the upload."""

    url = serializers.SerializerMethodField()
    renditions = RenditionsField()
    renditions_pending = serializers.SerializerMethodField()
    uploaded_by = UploaderSerializer(read_only=True)

    class Meta:
        model = Media
        fields = [
            "id",
            "url",
            "name",
            "type",
            "mime_type",
            "size",
            "width",
            "height",
            "alt_text",
            "caption",
            "renditions",
            "renditions_pending",
            "uploaded_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [name for name in fields if name not in {"alt_text", "caption"}]

    def get_url(self, media: Media) -> str:
        return selectors.file_url(media.file.name)

    def get_renditions_pending(self, media: Media) -> list[str]:
        return selectors.pending_renditions(media)


class MediaUploadSerializer(StrictFieldsMixin, serializers.Serializer):
    """``POST /api/v1/media`` as multipart/form-data."""

    file = serializers.FileField(help_text="The file. Its type is read from its content.")
    alt_text = serializers.CharField(max_length=ALT_TEXT_MAX_LENGTH, required=False, allow_blank=True, default="")
    caption = serializers.CharField(max_length=CAPTION_MAX_LENGTH, required=False, allow_blank=True, default="")


def summary(media: Media) -> dict[str, Any]:
    """The object a post embeds: ``SUMMARY_FIELDS``."""
    return {
        "id": media.pk,
        "url": selectors.file_url(media.file.name),
        "name": media.name,
        "type": media.type,
        "mime_type": media.mime_type,
        "width": media.width,
        "height": media.height,
        "alt_text": media.alt_text,
        "caption": media.caption,
        "renditions": selectors.renditions_of(media),
    }
