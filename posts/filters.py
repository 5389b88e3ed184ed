"""Query parameters of ``GET /api/v1/posts``. Invalid values are errors (422), never ignored."""

from __future__ import annotations

import datetime
import functools

import django_filters
from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField
from django_filters.utils import translate_validation

from api.filters import ChoiceFilter, OrderingFilter
from posts import search
from posts.models import Post, parse_id
from taxonomy.filters import PostTaxonomyFilters

# The list's order without ?ordering= (and, last, the tie-breaker of every ordering).
DEFAULT_ORDERING = ("-created_at", "-id")


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


class PostFilter(PostTaxonomyFilters, django_filters.FilterSet):
    """The list's filters, and its ordering (``ordering``, else ``DEFAULT_ORDERING``). Ranking search results
    by relevance is the view's (``posts.search.ranked``): only page-number lists without ``ordering`` are."""

    status = ChoiceFilter(choices=Post.Status.choices)
    type = ChoiceFilter(choices=Post.Type.choices)
    author = django_filters.CharFilter(method="filter_author", help_text="Author id or username.")
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=200,
        help_text='Title, excerpt and text: words, "a phrase", or, -word (PostgreSQL full-text search, most '
        "relevant first without ordering; elsewhere a substring).",
    )
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

    @classmethod
    @functools.cache
    def form_class(cls) -> type:
        """The form validating the parameters: django-filter builds it from the filters on every request, and
        it is the same every time."""
        fields = {name: filter_.field for name, filter_ in cls.base_filters.items()}
        return type(f"{cls.__name__}Form", (cls._meta.form,), fields)

    def get_form_class(self) -> type:
        return self.form_class()

    def filter_author(self, queryset, name, value: str):
        if not (value.isascii() and value.isdigit()):
            return queryset.filter(author__username=value)
        author_id = parse_id(value)
        return queryset.none() if author_id is None else queryset.filter(author_id=author_id)

    def filter_search(self, queryset, name, value: str):
        value = value.strip()
        return search.matching(queryset, value) if value else queryset

    @property
    def qs(self):
        queryset = super().qs
        if self.form.cleaned_data.get("ordering"):
            # A unique tie-breaker keeps pages stable when the ordering field repeats.
            return queryset.order_by(*queryset.query.order_by, DEFAULT_ORDERING[-1])
        return queryset.order_by(*DEFAULT_ORDERING)


def search_only(query_params) -> str | None:
    """The words of a request whose only filter is ``search``, validated as ``PostFilter`` would (422 when
    invalid); None when it has another filter, or none. So a plain search is read by a prepared statement
    (``posts.selectors``) without building the filter set."""
    if [name for name in PostFilter.base_filters if name in query_params] != ["search"]:
        return None
    form = PostFilter.form_class()(query_params)
    if not form.is_valid():
        raise translate_validation(form.errors)
    return form.cleaned_data["search"].strip()


def is_filtered(query_params) -> bool:
    """Whether a request names any of ``PostFilter``'s parameters; without one, a list is every post the
    caller may see in ``DEFAULT_ORDERING`` (``posts.selectors`` reads it without building the filter form)."""
    return any(name in query_params for name in PostFilter.base_filters)
