"""Query parameters of ``GET /api/v1/media``: ``type``, ``uploader``, ``search`` and ``ordering``. Invalid values are
422, never ignored."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from api.exceptions import ValidationError
from api.filters import ChoiceFilter, OrderingFilter
from media.models import Media


class MediaFilter(django_filters.FilterSet):
    type = ChoiceFilter(choices=Media.Type.choices, help_text="image or document.")
    uploader = django_filters.CharFilter(
        method="filter_uploader", help_text="The uploader's user id, or me for the caller's own uploads."
    )
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=200,
        help_text="Words found in the name or alt text (case-insensitive), all of them.",
    )
    ordering = OrderingFilter(
        fields=["created_at", "name", "size", "id"],
        help_text="created_at, name, size or id; prefix - for descending. Default -created_at (newest first).",
    )

    class Meta:
        model = Media
        fields: list[str] = []

    @property
    def qs(self) -> QuerySet[Media]:
        queryset = super().qs
        if self.form.cleaned_data.get("ordering"):
            return queryset.order_by(*queryset.query.order_by, "id")  # a unique tie-breaker keeps pages stable
        return queryset.order_by("-created_at", "-id")

    def filter_uploader(self, queryset: QuerySet[Media], name: str, value: str) -> QuerySet[Media]:
        if value == "me":
            return queryset.filter(uploaded_by=self.request.user)
        if not value.isdigit():
            raise ValidationError({"uploader": ["A user id, or me."]})
        return queryset.filter(uploaded_by_id=int(value))

    def filter_search(self, queryset: QuerySet[Media], name: str, value: str) -> QuerySet[Media]:
        for word in value.split()[:10]:
            queryset = queryset.filter(Q(name__icontains=word) | Q(alt_text__icontains=word))
        return queryset
