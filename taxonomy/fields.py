"""A post's ``categories`` and ``tags`` as ``PostSerializer`` fields.

Written as a list naming each one by id or slug (``[3, "news"]``), or as objects fetched earlier
(``{"id": 3, …}`` / ``{"slug": "news", …}``); a tag also by name (``{"name": "Machine learning"}``): that
tag, whatever the case of its name, or a new one if the writer may create tags (``taxonomy.policies``). The list
replaces the post's whole set; an unknown id or slug is 422 naming it. Read as ``[{id, name, slug}]``, sorted by
name.

A post list reads them with its rows, in the same query: ``column`` is a subquery giving each post's list as
JSON, for ``values_list()``, and ``from_column()`` turns its value into the output.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Aggregate, JSONField, OuterRef, Subquery
from django.db.models.functions import JSONObject
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from taxonomy.models import NAME_MAX_LENGTH, Category, Tag, lookup
from taxonomy.services import NewTag, PostTerms
from taxonomy.settings import taxonomy_settings

# The keys of an item as read; a written object may carry them all (only id or slug are read from it).
ITEM_KEYS = ("id", "name", "slug")


class JSONList(Aggregate):
    """The aggregated values as one JSON array (PostgreSQL's ``JSONB_AGG``, SQLite's ``JSON_GROUP_ARRAY``)."""

    function = "JSONB_AGG"
    output_field = JSONField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra_context)


def _shown(value: Any) -> str:
    text = str(value)
    return repr(text) if not isinstance(value, int) else text


class TermsField(serializers.Field):
    """A post's categories or tags (see the module's docstring)."""

    model: type[Category] | type[Tag]
    noun: str  # plural, as messages and settings say it
    limit_setting: str

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    @property
    def column(self) -> Subquery:
        """Each post's items as a JSON array (NULL for none), for ``values_list()`` beside its columns."""
        relation = self.model._meta.model_name
        items = (
            self.model.posts.through.objects.filter(post_id=OuterRef("pk"))
            .order_by()
            .values("post_id")
            .annotate(
                items=JSONList(JSONObject(id=f"{relation}_id", name=f"{relation}__name", slug=f"{relation}__slug"))
            )
            .values("items")
        )
        return Subquery(items, output_field=JSONField())

    def from_column(self, value: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
        """The output for a value of ``column``."""
        return sorted(value or (), key=lambda item: (item["name"].casefold(), item["id"]))

    def to_representation(self, manager) -> list[dict[str, Any]]:
        items = [{"id": item.pk, "name": item.name, "slug": item.slug} for item in manager.all()]
        return self.from_column(items)

    def to_internal_value(self, data: Any) -> list:
        if not isinstance(data, list):
            raise serializers.ValidationError(f"Give a list of ids or slugs of {self.noun}.")
        maximum = getattr(taxonomy_settings, self.limit_setting)
        if len(data) > maximum:
            raise serializers.ValidationError(
                f"A post has at most {maximum} {self.noun} (POLYCMS_TAXONOMY['{self.limit_setting}'])."
            )
        wanted: list[tuple[str, Any]] = []  # ("pk" | "slug" | "name", value), in the order given
        for item in data:
            wanted.append(self._reference(item))
        found = self._existing(wanted)
        unknown = [value for kind, value in wanted if kind != "name" and (kind, value) not in found]
        if unknown:
            names = ", ".join(_shown(value) for value in dict.fromkeys(unknown))
            raise serializers.ValidationError(f"No such {self.noun}: {names}. Give ids or slugs of existing ones.")
        resolved: dict[Any, Any] = {}
        for kind, value in wanted:
            item = NewTag(value) if kind == "name" else found[(kind, value)]
            resolved.setdefault(item.name.lower() if kind == "name" else item.pk, item)
        return list(resolved.values())

    def _reference(self, item: Any) -> tuple[str, Any]:
        if isinstance(item, dict):
            return self._object_reference(item)
        if isinstance(item, bool) or not isinstance(item, int | str):
            raise serializers.ValidationError(f'Name {self.noun} by id or slug, e.g. [3, "news"].')
        found = lookup(str(item))
        if found is None:
            raise serializers.ValidationError(f"No such {self.noun}: {_shown(item)}. Give ids or slugs.")
        ((kind, value),) = found.items()
        return kind, value

    def _object_reference(self, item: dict) -> tuple[str, Any]:
        unknown = set(item) - set(ITEM_KEYS)
        if unknown:
            raise serializers.ValidationError(f"Unknown keys {', '.join(sorted(map(str, unknown)))} in {item!r:.60}.")
        for key in ("id", "slug"):
            if key in item:
                return self._reference(item[key])
        raise serializers.ValidationError(f"Name each of the {self.noun} by id or slug.")

    def _existing(self, wanted: list[tuple[str, Any]]) -> dict[tuple[str, Any], Category | Tag]:
        """The existing items ``wanted`` names, by ``(kind, value)``. One query."""
        ids = [value for kind, value in wanted if kind == "pk"]
        slugs = [value for kind, value in wanted if kind == "slug"]
        if not ids and not slugs:
            return {}
        found = {}
        for item in self.model.objects.filter(pk__in=ids) | self.model.objects.filter(slug__in=slugs):
            found[("pk", item.pk)] = found[("slug", item.slug)] = item
        return found


class CategoriesField(TermsField):
    model = Category
    noun = "categories"
    limit_setting = "MAX_CATEGORIES_PER_POST"


class TagsField(TermsField):
    model = Tag
    noun = "tags"
    limit_setting = "MAX_TAGS_PER_POST"

    def _object_reference(self, item: dict) -> tuple[str, Any]:
        if "id" in item or "slug" in item or set(item) - {"name"}:
            return super()._object_reference(item)
        name = item.get("name")
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > NAME_MAX_LENGTH:
            raise serializers.ValidationError(f"A new tag's name is 1 to {NAME_MAX_LENGTH} characters.")
        return "name", name.strip()


def split_terms(validated_data: dict[str, Any]) -> tuple[dict[str, Any], PostTerms]:
    """``validated_data`` without ``categories`` and ``tags``, and those as ``PostTerms`` (None: not sent)."""
    data = dict(validated_data)
    return data, PostTerms(categories=data.pop("categories", None), tags=data.pop("tags", None))


# ---------------------------------------------------------------------------- OpenAPI

_ITEM = {
    "type": "object",
    "required": list(ITEM_KEYS),
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "slug": {"type": "string"}},
}
_REFERENCE = {"oneOf": [{"type": "integer", "description": "id"}, {"type": "string", "description": "slug"}]}


class TermsFieldSchema(OpenApiSerializerFieldExtension):
    """Read as ``[{id, name, slug}]``; written as ids, slugs or such objects (a tag also as ``{name}``)."""

    target_class = TermsField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        if direction == "response":
            return {"type": "array", "items": _ITEM, "description": "Sorted by name."}
        written = [*_REFERENCE["oneOf"], {"type": "object", "properties": _ITEM["properties"]}]
        new_tag = (
            ' A tag not yet known can be named {"name": …}: created if you may create tags.'
            if field.model is Tag
            else ""
        )
        return {
            "type": "array",
            "items": {"oneOf": written},
            "maxItems": getattr(taxonomy_settings, field.limit_setting),
            "description": f"Ids or slugs of {field.noun} (or the objects read earlier); replaces the whole set. "
            f"Absent: unchanged.{new_tag}",
        }
