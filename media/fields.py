"""A post's ``featured_media`` as a ``PostSerializer`` field: written as a media id (null: none), read as the media
item's summary (``media.serializers.summary``) with its renditions.

A post list reads it with its rows, in the same query: ``column`` is a subquery giving the item's columns as JSON,
for ``values_list()``, and ``from_column()`` turns its value into the output (as ``taxonomy.fields`` does).
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models import JSONField, OuterRef, Subquery
from django.db.models.functions import JSONObject
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from media.models import Media
from media.serializers import SUMMARY_FIELDS, summary

_COLUMNS = ("id", "file", "name", "type", "mime_type", "width", "height", "alt_text", "caption", "renditions")


class FeaturedMediaField(serializers.Field):
    """A post's featured image (see the module's docstring)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    @property
    def column(self) -> Subquery:
        """The featured item's columns as a JSON object (NULL for none), for ``values_list()``."""
        item = Media.objects.filter(pk=OuterRef("featured_media_id")).values(
            json=JSONObject(**{name: name for name in _COLUMNS})
        )
        return Subquery(item, output_field=JSONField())

    def from_column(self, value: dict[str, Any] | str | None) -> dict[str, Any] | None:
        """The output for a value of ``column`` (or for one already turned into it, ``to_representation()``'s)."""
        if value is None or (isinstance(value, dict) and "url" in value):
            return value
        if isinstance(value, str):
            value = json.loads(value)
        if isinstance(value.get("renditions"), str):  # SQLite nests a JSON column as its text
            value["renditions"] = json.loads(value["renditions"])
        media = Media(**{name: value[name] for name in _COLUMNS if name != "id"}, pk=value["id"])
        return summary(media)

    def get_attribute(self, instance) -> Media | None:
        return instance.featured_media

    def to_representation(self, media: Media | None) -> dict[str, Any] | None:
        return summary(media) if media is not None else None

    def to_internal_value(self, data: Any) -> Media:
        if isinstance(data, dict) and "id" in data:
            data = data["id"]  # the object read earlier
        if isinstance(data, bool) or not isinstance(data, int | str) or not str(data).isdigit():
            raise serializers.ValidationError("Give the id of a media item, or null.")
        media = Media.objects.filter(pk=int(data)).first()
        if media is None:
            raise serializers.ValidationError(f"No media item with id {int(data)}.")
        if media.type != Media.Type.IMAGE:
            raise serializers.ValidationError("A featured media item must be an image.")
        return media


class FeaturedMediaFieldSchema(OpenApiSerializerFieldExtension):
    """Read as the media item's summary (or null); written as its id (or null)."""

    target_class = FeaturedMediaField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return {"type": "integer", "nullable": True, "description": "A media item's id (an image); null: none."}
        from media.serializers import RENDITIONS_SCHEMA

        properties = {
            "id": {"type": "integer"},
            "url": {"type": "string", "format": "uri"},
            "name": {"type": "string"},
            "type": {"type": "string", "enum": [choice for choice, _ in Media.Type.choices]},
            "mime_type": {"type": "string"},
            "width": {"type": "integer", "nullable": True},
            "height": {"type": "integer", "nullable": True},
            "alt_text": {"type": "string"},
            "caption": {"type": "string"},
            "renditions": RENDITIONS_SCHEMA,
        }
        return {
            "type": "object",
            "nullable": True,
            "required": list(SUMMARY_FIELDS),
            "properties": properties,
            "description": "The featured image, with its renditions; null for none.",
        }
