"""OpenAPI for ``GET /api/v1/categories``: a page of categories, or with ``tree=1`` the nested tree."""

from __future__ import annotations

from api.schema import EnvelopeAutoSchema
from taxonomy.serializers import CategoryNodeSerializer


class CategoryListSchema(EnvelopeAutoSchema):
    """The list's 200 is one of two bodies: the usual page, or ``{"data": [CategoryNode…]}`` (``tree=1``)."""

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        if self.view.action != "list" or str(status_code) != "200":
            return response
        node = self.resolve_serializer(CategoryNodeSerializer(), direction).ref
        tree = {
            "type": "object",
            "required": ["data"],
            "properties": {"data": {"type": "array", "items": node}},
            # No meta, no links: a page (even an empty one) never validates against it, so exactly one of the two does.
            "additionalProperties": False,
            "description": "With tree=1: the top categories (or parent's children), each with its children.",
        }
        for media_type in response["content"].values():
            media_type["schema"] = {"oneOf": [media_type["schema"], tree]}
        return response
