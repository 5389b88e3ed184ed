"""Query parameters of ``GET /api/v1/posts``. Invalid values are errors (422), never ignored."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from posts.models import Post


class PostFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Post.Status.choices)
    type = django_filters.ChoiceFilter(choices=Post.Type.choices)
    author = django_filters.CharFilter(method="filter_author", help_text="Author id or username.")
    search = django_filters.CharFilter(method="filter_search", max_length=200, help_text="Title, excerpt and text.")
    published_after = django_filters.IsoDateTimeFilter(field_name="published_at", lookup_expr="gte")
    published_before = django_filters.IsoDateTimeFilter(field_name="published_at", lookup_expr="lt")
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    updated_after = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    ordering = django_filters.OrderingFilter(
        fields=["created_at", "updated_at", "published_at", "title", "id"],
        help_text="created_at, updated_at, published_at, title or id; prefix - for descending. Default -created_at.",
    )

    class Meta:
        model = Post
        fields: list[str] = []

    def filter_author(self, queryset, name, value: str):
        return queryset.filter(author_id=int(value)) if value.isdigit() else queryset.filter(author__username=value)

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
