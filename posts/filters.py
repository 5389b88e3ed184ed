"""Query parameters of ``GET /api/v1/posts``. Invalid values are errors (422), never ignored."""

from __future__ import annotations

import datetime

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django_filters.fields import IsoDateTimeField

from api.filters import ChoiceFilter, OrderingFilter
from posts.models import Post, parse_id


class UTCIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, in UTC. The databases only ever see UTC: PostgreSQL refuses offsets past
    ±15:59 (which ISO 8601 and Python allow), and SQLite converts to UTC itself, overflowing at the ends
    of the calendar."""

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(datetime.UTC)
        except OverflowError:  # e.g. 0001-01-01T00:00+01:00 falls before year 1 in UTC
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class UTCIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCIsoDateTimeField


class PostFilter(django_filters.FilterSet):
    status = ChoiceFilter(choices=Post.Status.choices)
    type = ChoiceFilter(choices=Post.Type.choices)
    author = django_filters.CharFilter(method="filter_author", help_text="Author id or username.")
    search = django_filters.CharFilter(method="filter_search", max_length=200, help_text="Title, excerpt and text.")
    published_after = UTCIsoDateTimeFilter(field_name="published_at", lookup_expr="gte")
    published_before = UTCIsoDateTimeFilter(field_name="published_at", lookup_expr="lt")
    created_after = UTCIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    updated_after = UTCIsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    ordering = OrderingFilter(
        fields=["created_at", "updated_at", "published_at", "title", "id"],
        help_text="created_at, updated_at, published_at, title or id; prefix - for descending. Default -created_at.",
    )

    class Meta:
        model = Post
        fields: list[str] = []

    def filter_author(self, queryset, name, value: str):
        if not (value.isascii() and value.isdigit()):
            return queryset.filter(author__username=value)
        author_id = parse_id(value)
        return queryset.none() if author_id is None else queryset.filter(author_id=author_id)

    def filter_search(self, queryset, name, value: str):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(excerpt__icontains=value) | Q(content_text__icontains=value)
        )

    @property
    def qs(self):
        queryset = super().qs
        if not self.form.cleaned_data.get("ordering"):
            return queryset.order_by("-created_at", "-id")
        # A unique tie-breaker keeps pages stable when the ordering field repeats.
        return queryset.order_by(*queryset.query.order_by, "-id")
