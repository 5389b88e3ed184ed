"""OpenAPI for posts: the Editor.js document as named components (``EditorJsDocument``, its blocks a union
discriminated on ``type``, one component per block type from ``posts.content.blocks``), accepted as an object or
a JSON string and returned as an object; the post's headers (``ETag``, ``Idempotent-Replayed``)."""

from __future__ import annotations

import copy
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from posts.content.blocks import BLOCK_TYPES
from posts.serializers import CONTENT_FIELDS, PostSerializer

DOCUMENT = "EditorJsDocument"
BLOCK = "EditorJsBlock"
_MAX_BLOCK_ID_LENGTH = 64

ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201, 304],
    description="The post's version (a list's: its content's), e.g. \"12-3\": send it back in If-Match to update "
    "only that version, or in If-None-Match to revalidate.",
)
IDEMPOTENT_REPLAYED = OpenApiParameter(
    "Idempotent-Replayed",
    {"type": "string", "enum": ["true"]},
    OpenApiParameter.HEADER,
    response=[201],
    description="true when this is the stored response of an earlier request with the same Idempotency-Key.",
)


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def block_component(type_name: str) -> str:
    """The component of a block type: ``header`` -> ``EditorJsHeaderBlock``."""
    return f"EditorJs{type_name.capitalize()}Block"


def editorjs_components() -> dict[str, dict[str, Any]]:
    """The named schemas of the document: the document, the block union, each block and its data."""
    components: dict[str, dict[str, Any]] = {}
    for type_name, kind in BLOCK_TYPES.items():
        name = block_component(type_name)
        components[f"{name}Data"] = copy.deepcopy(kind.data_schema)
        components.update(copy.deepcopy(kind.schema_components))
        components[name] = {
            "type": "object",
            "required": ["type", "data"],
            "properties": {
                "id": {"type": "string", "maxLength": _MAX_BLOCK_ID_LENGTH},
                "type": {"type": "string", "enum": [type_name]},
                "data": ref(f"{name}Data"),
                "tunes": {"type": "object", "additionalProperties": True, "description": "Kept as given."},
            },
            "additionalProperties": False,
        }
    names = [block_component(type_name) for type_name in BLOCK_TYPES]
    components[BLOCK] = {
        "oneOf": [ref(name) for name in names],
        "discriminator": {
            "propertyName": "type",
            "mapping": {type_name: ref(block_component(type_name))["$ref"] for type_name in BLOCK_TYPES},
        },
    }
    components[DOCUMENT] = {
        "type": "object",
        "required": ["blocks"],
        "properties": {
            "time": {"type": "integer", "minimum": 0},
            "blocks": {"type": "array", "items": ref(BLOCK)},
            "version": {"type": "string"},
        },
        "additionalProperties": False,
        "description": "An Editor.js document. Inline HTML is reduced to the allow-list; block data keeps the fields "
        "described (others are dropped), with defaults filled in.",
    }
    return components


def add_editorjs_components(result: dict[str, Any], generator, **kwargs) -> dict[str, Any]:
    """drf-spectacular postprocessing hook, after the enums': the document's components (added after it, so
    each block's one-value ``type`` enum stays in its block)."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(editorjs_components())
    return result


class EditorJSFieldSchema(OpenApiSerializerFieldExtension):
    """``content_raw``: an ``EditorJsDocument`` object or the same as a JSON string in requests, always an object in
    responses."""

    target_class = "posts.serializers.EditorJSField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return ref(DOCUMENT)
        return {
            "oneOf": [ref(DOCUMENT), {"type": "string", "description": "The same document as a JSON string."}],
            "description": "The Editor.js document, as an object or a JSON string. Returned as an object.",
        }


class PostSummarySerializer(PostSerializer):
    """A post in a list (the schema's ``PostSummary``): every field but ``content_raw`` and ``content_html``, which
    it holds only when ``?fields=`` names them."""

    class Meta(PostSerializer.Meta):
        optional_response_fields = CONTENT_FIELDS
