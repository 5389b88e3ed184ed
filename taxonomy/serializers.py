"""Category and tag representations: ``path`` (ancestor slugs, top first), ``depth`` and ``post_count`` are
read-only; ``parent`` is written as an id or a slug and read as an id."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers import StrictFieldsMixin
from taxonomy.models import ORDER_MAX, SLUG_MAX_LENGTH, Category, Tag, lookup, validate_slug

# OpenAPI patterns are ECMAScript regular expressions: no \Z.
SLUG_PATTERN = validate_slug.regex.pattern.replace("\\Z", "$")
ID_OR_SLUG_SCHEMA = {"oneOf": [{"type": "integer"}, {"type": "string", "pattern": SLUG_PATTERN}]}


def resolve_category(value) -> Category:
    """The category ``value`` (an id or a slug) names; ``ValidationError`` if none."""
    found = lookup(str(value)) if isinstance(value, int | str) and not isinstance(value, bool) else None
    try:
        if found is None:
            raise Category.DoesNotExist
        return Category.objects.get(**found)
    except Category.DoesNotExist:
        raise serializers.ValidationError("No category with this id or slug.") from None


@extend_schema_field({**ID_OR_SLUG_SCHEMA, "nullable": True, "description": "The parent's id (or slug, written)."})
class ParentField(serializers.Field):
    """The parent category: written as an id or a slug (null: the top level), read as an id."""

    def __init__(self, **kwargs) -> None:
        super().__init__(allow_null=True, **kwargs)

    def get_attribute(self, instance: Category):
        return instance.parent_id

    def to_representation(self, value):
        return value

    def to_internal_value(self, data) -> Category:
        return resolve_category(data)


def slug_field() -> serializers.CharField:
    # The model field's validators are the slug rule; no unique validator: the services allocate a free slug on
    # creation (-2, -3…) and refuse a taken one on update, inside their transaction.
    return serializers.CharField(max_length=SLUG_MAX_LENGTH, validators=[validate_slug], required=False)


class CategorySerializer(StrictFieldsMixin, serializers.ModelSerializer):
    slug = slug_field()
    parent = ParentField(required=False)
    order = serializers.IntegerField(min_value=0, max_value=ORDER_MAX, required=False)
    path = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="The slugs of its ancestors, top first."
    )
    depth = serializers.IntegerField(read_only=True, help_text="How many ancestors it has: 0 at the top level.")
    post_count = serializers.IntegerField(
        read_only=True, help_text="Its posts the caller may see: the live ones for anonymous callers."
    )

    class Meta:
        model = Category
        fields = [
            "id",
            "name",
            "slug",
            "description",
            "parent",
            "order",
            "path",
            "depth",
            "post_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


@extend_schema_field({"type": "array", "items": {"$ref": "#/components/schemas/CategoryNode"}})
class ChildrenField(serializers.ReadOnlyField):
    """A node's children, nested (``taxonomy.views.nested``)."""


# The schema of the tree's nodes; the view nests CategorySerializer's output itself, in one pass over the tree.
class CategoryNodeSerializer(CategorySerializer):
    """A category in the tree (``?tree=1``): its fields and its ``children``, in their order (``order``, ``name``)."""

    children = ChildrenField()

    class Meta(CategorySerializer.Meta):
        fields = [*CategorySerializer.Meta.fields, "children"]


class TagSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    slug = slug_field()
    post_count = serializers.IntegerField(
        read_only=True, help_text="Its posts the caller may see: the live ones for anonymous callers."
    )

    class Meta:
        model = Tag
        fields = ["id", "name", "slug", "description", "post_count", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
