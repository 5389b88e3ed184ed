"""Post representation: every model field, ``content_raw`` always as an object, ``author`` as
``{id, username, name}``; or only the fields a ``?fields=`` query selects. ``PostRepresentation`` builds
the same output for reads without DRF's per-instance field machinery."""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework import serializers

from api.serializers import StrictFieldsMixin
from media.fields import FeaturedMediaField
from posts import content, services
from posts.models import Post
from taxonomy.fields import CategoriesField, TagsField, TermsField


class EditorJSField(serializers.Field):
    """Accepts an Editor.js document as an object or a JSON string; validates it with ``posts.content``. Its
    OpenAPI schema: ``posts.schema.EditorJSFieldSchema``."""

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
        return display_name(user.username, user.first_name, user.last_name)


def display_name(username: str, first_name: str, last_name: str) -> str:
    """An author's ``name``: their full name (``User.get_full_name()``), or their username without one."""
    return f"{first_name} {last_name}".strip() or username


class PostSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A post. ``fields`` (names from ``FIELDS``) builds only those fields, in ``FIELDS`` order; the
    default is all of them."""

    content_raw = EditorJSField(required=False)
    author = AuthorSerializer(read_only=True)
    categories = CategoriesField()
    tags = TagsField()
    featured_media = FeaturedMediaField()
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
            "categories",
            "tags",
            "featured_media",
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


FIELDS: tuple[str, ...] = tuple(PostSerializer.Meta.fields)
# The categories and tags (taxonomy.fields): relations, no columns of the post.
TERM_FIELDS = frozenset({"categories", "tags"})
# The fields that can make a post megabytes long (see POLYCMS_POSTS["CONTENT_MAX_BYTES"]); the others are
# bounded by their maximum lengths.
CONTENT_FIELDS = frozenset({"content_raw", "content_html"})
LIST_FIELDS: tuple[str, ...] = tuple(name for name in FIELDS if name not in CONTENT_FIELDS)


def post_columns(fields: Collection[str]) -> list[str]:
    """What ``Post.objects.only()`` needs for ``PostSerializer(fields=fields)``, plus ``version`` for the
    ETag; with ``author`` the author's columns too (the caller joins them with ``select_related``). Categories and
    tags are no columns: the serializer reads them with a query each."""
    columns = ["id", "version", *(name for name in fields if name not in {"id", "author", *TERM_FIELDS})]
    if "author" in fields:
        columns += ["author", *(f"author__{column}" for column in AuthorSerializer.columns)]
    return columns


# How PostRepresentation turns a column value into the output: as it is (the database already gives what the
# serializer field's to_representation() would return), as DRF's ISO 8601 date-time, or through the field.
_AS_IS, _DATETIME, _FIELD = "as-is", "datetime", "field"
# A post's categories or tags: a subquery's JSON (taxonomy.fields.TermsField.column).
_TERMS = "terms"
_AS_IS_FIELDS = (serializers.IntegerField, serializers.CharField, serializers.ChoiceField, EditorJSField)


def _iso_datetime(value, zone) -> str:
    """``serializers.DateTimeField().to_representation(value)`` with ``DATETIME_FORMAT = "iso-8601"``."""
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _conversion(field: serializers.Field) -> str:
    if isinstance(field, serializers.DateTimeField):
        iso = getattr(field, "format", serializers.api_settings.DATETIME_FORMAT) == "iso-8601"
        return _DATETIME if iso else _FIELD
    return _AS_IS if isinstance(field, _AS_IS_FIELDS) else _FIELD


class PostRepresentation:
    """``PostSerializer(post, fields=fields).data`` for reads, planned once per field set and reused.

    A ``ModelSerializer`` builds and deep-copies its fields on every use, and passes each value through a
    chain of ``get_attribute`` / ``to_representation`` calls: most of a list's CPU, profiled. The plan is
    made from ``PostSerializer``'s own fields, so a field added there is not forgotten here (one of a kind
    this class does not know goes through its own ``to_representation``); a test checks that both give the
    same output.

    ``columns`` are what ``from_rows()`` reads, for ``QuerySet.values_list()``: ``id`` and ``version``
    first, then the fields' columns, the author's joined; a post's categories and tags as subqueries (their JSON,
    ``taxonomy.fields``), so a list reads them in its own query.
    """

    def __init__(self, fields: Collection[str]) -> None:
        self.columns = ["id", "version"]
        # (output name, conversion, column index or the author's column indexes, serializer field)
        self._plan: list[tuple[str, str, Any, serializers.Field]] = []
        # The columns that are subqueries (a post's categories and tags), by index, with the field that reads them
        # from a Post instance instead.
        self._related: dict[int, TermsField | FeaturedMediaField] = {}
        for name, field in PostSerializer(fields=fields).fields.items():
            if isinstance(field, AuthorSerializer):
                author = [f"{field.source}__{column}" for column in AuthorSerializer.columns]
                self._plan.append((name, "author", [self._column(column) for column in author], field))
            elif isinstance(field, TermsField | FeaturedMediaField):
                index = self._column(field.column)
                self._related[index] = field
                self._plan.append((name, _TERMS, index, field))
            else:
                self._plan.append((name, _conversion(field), self._column(field.source), field))

    def _column(self, column: str) -> int:
        if column not in self.columns:
            self.columns.append(column)
        return self.columns.index(column)

    def from_rows(self, rows: Iterable[Sequence]) -> list[dict[str, Any]]:
        """The output for each row of ``values_list(*self.columns)``."""
        zone = timezone.get_current_timezone()
        return [self._build(row, zone) for row in rows]

    def from_post(self, post: Post) -> dict[str, Any]:
        """The output for a ``Post`` loaded with (at least) the columns of ``post_columns()``."""
        row = [
            self._related[index].to_representation(getattr(post, self._related[index].source))
            if index in self._related
            else _attribute(post, column)
            for index, column in enumerate(self.columns)
        ]
        return self._build(row, timezone.get_current_timezone())

    def _build(self, row: Sequence, zone) -> dict[str, Any]:
        data = {}
        for name, conversion, index, field in self._plan:
            if conversion == "author":
                author_id, username, first_name, last_name = (row[i] for i in index)
                name_shown = display_name(username, first_name, last_name)
                data[name] = {"id": author_id, "username": username, "name": name_shown}
                continue
            value = row[index]
            if conversion == _TERMS:
                data[name] = field.from_column(value)
            elif value is None or conversion == _AS_IS:
                data[name] = value
            elif conversion == _DATETIME:
                data[name] = _iso_datetime(value, zone)
            else:
                data[name] = field.to_representation(value)
        return data


def _attribute(post: Post, column: str) -> Any:
    value = post
    for part in column.split("__"):
        value = getattr(value, part)
    return value


@functools.lru_cache(maxsize=64)
def post_representation(fields: frozenset[str]) -> PostRepresentation:
    """The ``PostRepresentation`` of a field set, built on first use; the last 64 used are kept (``?fields=``
    is the caller's choice, of thousands of combinations)."""
    return PostRepresentation(fields)
