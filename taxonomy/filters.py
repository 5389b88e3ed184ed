"""Query parameters of the category and tag lists, and the posts list's filters by category and tag
(``PostTaxonomyFilters``, mixed into ``posts.filters.PostFilter``). Invalid values are 422, never ignored."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema_field

from api.filters import OrderingFilter
from taxonomy.models import Category, Tag, lookup

# Values one repeatable filter takes (?tag=a&tag=b…): each is a subquery.
MAX_VALUES = 10


def _search(queryset: QuerySet, name: str, value: str) -> QuerySet:
    value = value.strip()
    if not value:
        return queryset
    return queryset.filter(Q(name__icontains=value) | Q(slug__icontains=value) | Q(description__icontains=value))


class CategoryFilter(django_filters.FilterSet):
    parent = django_filters.CharFilter(
        method="filter_parent", help_text="The parent's id or slug: its children only; 0: the top-level categories."
    )
    search = django_filters.CharFilter(method=_search, max_length=200, help_text="Name, slug and description.")
    ordering = OrderingFilter(
        fields=["order", "name", "post_count", "created_at", "updated_at", "id"],
        help_text="order, name, post_count, created_at, updated_at or id; prefix - for descending. Default order,name.",
    )

    class Meta:
        model = Category
        fields: list[str] = []

    def filter_parent(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "0":
            return queryset.filter(parent=None)
        found = lookup(value)
        if found is None:
            return queryset.none()
        return queryset.filter(**{f"parent__{key}": key_value for key, key_value in found.items()})

    @property
    def qs(self) -> QuerySet:
        queryset = super().qs
        if self.form.cleaned_data.get("ordering"):
            return queryset.order_by(*queryset.query.order_by, "id")  # a unique tie-breaker keeps pages stable
        return queryset.order_by("order", "name", "id")


class TagFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method=_search, max_length=200, help_text="Name, slug and description.")
    ordering = OrderingFilter(
        fields=["name", "post_count", "created_at", "updated_at", "id"],
        help_text="name, post_count, created_at, updated_at or id; prefix - for descending. Default name.",
    )

    class Meta:
        model = Tag
        fields: list[str] = []

    @property
    def qs(self) -> QuerySet:
        queryset = super().qs
        if self.form.cleaned_data.get("ordering"):
            return queryset.order_by(*queryset.query.order_by, "id")
        return queryset.order_by("name", "id")


# ---------------------------------------------------------------------------- posts by category and tag


class ValuesField(forms.Field):
    """Every value of a repeated query parameter (``?tag=a&tag=b``), empty ones left out; at most ``MAX_VALUES``."""

    widget = forms.MultipleHiddenInput  # reads them all (QueryDict.getlist)

    def to_python(self, value) -> list[str]:
        values = [item for item in (value or []) if item != ""]
        if len(values) > MAX_VALUES:
            raise forms.ValidationError(f"Give at most {MAX_VALUES} values.")
        if any(len(item) > 200 for item in values):
            raise forms.ValidationError("Give ids or slugs.")
        return values


class ValuesFilter(django_filters.Filter):
    field_class = ValuesField

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # In the OpenAPI schema: an array, sent as the parameter repeated (style form, explode).
        array = {"type": "array", "items": {"type": "string"}, "maxItems": MAX_VALUES}
        extend_schema_field({**array, "description": self.extra.get("help_text", "")})(self)


def _posts_with(relation: type, **where) -> QuerySet:
    """The ids of the posts having the category or tag that ``where`` names, as a subquery."""
    return relation.posts.through.objects.filter(**where).values("post_id")


def _tag_where(value: str) -> dict | None:
    found = lookup(value)
    if found is None:
        return None
    return {"tag_id": found["pk"]} if "pk" in found else {"tag__slug": found["slug"]}


class PostTaxonomyFilters(django_filters.FilterSet):
    """``category`` (with its subcategories), ``category_exact``, ``tag`` (repeatable: posts having every one)
    and ``tag_any`` (repeatable: posts having any), by id or slug. An unknown category or tag matches no post,
    as an unknown author does. Each is a subquery: no post is listed twice."""

    category = django_filters.CharFilter(
        method="filter_category", help_text="Category id or slug: posts in it or in any of its subcategories."
    )
    category_exact = django_filters.CharFilter(
        method="filter_category_exact", help_text="Category id or slug: posts in that category itself."
    )
    tag = ValuesFilter(
        method="filter_tag",
        help_text=f"Tag id or slug; repeat it (tag=a&tag=b, at most {MAX_VALUES}) for posts having every one.",
    )
    tag_any = ValuesFilter(
        method="filter_tag_any",
        help_text=f"Tag id or slug; repeat it (tag_any=a&tag_any=b, at most {MAX_VALUES}) for posts having any.",
    )
    # What api.query lets a list repeat.
    repeatable_parameters = ("tag", "tag_any")

    def filter_category(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        found = lookup(value)
        category = Category.objects.filter(**found).only("pk", "tree_path").first() if found else None
        if category is None:
            return queryset.none()
        return queryset.filter(pk__in=_posts_with(Category, category__in=Category.objects.subtree(category)))

    def filter_category_exact(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        found = lookup(value)
        if found is None:
            return queryset.none()
        where = {"category_id": found["pk"]} if "pk" in found else {"category__slug": found["slug"]}
        return queryset.filter(pk__in=_posts_with(Category, **where))

    def filter_tag(self, queryset: QuerySet, name: str, values: list[str]) -> QuerySet:
        for value in dict.fromkeys(values):
            where = _tag_where(value)
            if where is None:
                return queryset.none()
            queryset = queryset.filter(pk__in=_posts_with(Tag, **where))
        return queryset

    def filter_tag_any(self, queryset: QuerySet, name: str, values: list[str]) -> QuerySet:
        wheres = [where for where in map(_tag_where, dict.fromkeys(values)) if where is not None]
        if not wheres:
            return queryset.none()
        any_of = Q()
        for where in wheres:
            any_of |= Q(**where)
        return queryset.filter(pk__in=Tag.posts.through.objects.filter(any_of).values("post_id"))
