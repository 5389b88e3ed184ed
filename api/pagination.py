"""List envelope: ``{"data": [...], "meta": {total, page, per_page, total_pages, total_exact},
"links": {next, prev}}`` with page numbers, or ``{"data": [...], "meta": {per_page}, "links": {next, prev}}``
with a cursor."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from api import cursors
from api.cursors import OrderingKey
from api.exceptions import ValidationError
from api.settings import api_settings


def _positive_int(request: Request, name: str, default: int, maximum: int | None = None, why: str = "") -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: ["Must be a positive integer."]}) from None
    if value < 1:
        raise ValidationError({name: ["Must be a positive integer."]})
    if maximum is not None and value > maximum:
        raise ValidationError({name: [f"Must be at most {maximum}{f' {why}' if why else ''}."]})
    return value


class Rows:
    """A list's rows as the paginator reads them. ``QuerySetRows`` serves any queryset; a view may give its
    own source instead (e.g. prepared statements for its hottest lists), answering the same."""

    model: type[Model]

    @property
    def ordering(self) -> Sequence[str]:
        """The list's ordering: field names, ``-`` first for descending."""
        raise NotImplementedError

    def fetch(self, start: int, stop: int, *, keys: Sequence[OrderingKey] | None = None, after=None) -> list:
        """Rows ``start`` to ``stop`` (excluded). With ``keys`` (the ordering's, from ``api.cursors``), in their
        order, NULLs as they say, and only the rows after the one whose values of ``keys`` are ``after``."""
        raise NotImplementedError

    def count(self, limit: int) -> int:
        """How many rows there are, counting at most ``limit``."""
        raise NotImplementedError

    def key_values(self, row, keys: Sequence[OrderingKey]) -> list:
        """The values of ``keys`` in ``row``, one of ``fetch(keys=keys)``."""
        raise NotImplementedError


class QuerySetRows(Rows):
    """The rows of a queryset; ``values_list()`` rows get the cursor keys' columns added at their end."""

    def __init__(self, queryset: QuerySet) -> None:
        self.queryset = queryset
        self.model = queryset.model

    @property
    def ordering(self) -> list[str]:
        query = self.queryset.query
        ordering = list(query.order_by or (query.get_meta().ordering if self.queryset.ordered else []))
        if not all(isinstance(spec, str) for spec in ordering):
            raise ImproperlyConfigured(f"Cursor pagination orders by field names only, not {ordering}.")
        return ordering

    def fetch(self, start: int, stop: int, *, keys: Sequence[OrderingKey] | None = None, after=None) -> list:
        queryset = self.queryset
        if keys is not None:
            queryset = queryset.order_by(*(key.order_by_expression() for key in keys))
            selected = list(queryset._fields or ())  # values_list()'s names, in their order (annotations too)
            if selected:
                columns = selected + [key.name for key in keys if key.name not in selected]
                queryset = queryset.values_list(*columns)
                self._key_indexes = [columns.index(key.name) for key in keys]
            if after is not None:
                queryset = queryset.filter(cursors.keyset_filter(keys, after))
        return list(queryset[start:stop])

    def count(self, limit: int) -> int:
        return self.queryset.order_by().values("pk")[:limit].count()

    def key_values(self, row, keys: Sequence[OrderingKey]) -> list:
        if isinstance(row, tuple):
            return [row[index] for index in self._key_indexes]
        return [getattr(row, key.name) for key in keys]


class PageNumberEnvelopePagination(BasePagination):
    """``?page=P&per_page=K`` (default 20, max 100; a view may lower both for a request with
    ``limit_page_size()``), or ``?cursor=C&per_page=K``. A page past the end is empty, not an error, so
    polling clients can walk pages without racing deletions.

    Page numbers: ``meta.total`` is exact up to ``COUNT_LIMIT`` matching rows; past that, counting every
    row would make each list request cost O(table), so the count stops there and says so: ``total_exact``
    is false and ``total`` / ``total_pages`` are lower bounds. ``links.next`` is always exact (one extra
    row is fetched to know whether another page exists).

    Cursors (``api.cursors``): an empty ``cursor=`` asks for the first page, and ``links.next`` of each
    page carries the cursor of the next one; no count, no offset, so every page costs what the first does,
    and rows inserted or deleted meanwhile neither repeat nor skip others. The queryset's ordering must end
    with a unique field (the keyset's tie-breaker); a cursor made for another ordering is 422, and so is
    a cursor with a page number. ``links.prev`` is null: cursors go forward.
    """

    page_query_param = "page"
    page_size_query_param = "per_page"
    cursor_query_param = "cursor"
    max_page_size: int | None = None  # None: POLYCMS_API["MAX_PAGE_SIZE"]
    max_page_size_reason = ""
    count_limit: int | None = None  # None: POLYCMS_API["COUNT_LIMIT"]

    @property
    def query_parameters(self) -> tuple[str, ...]:
        """The parameters a paginated list accepts (see ``api.query``)."""
        return (self.page_query_param, self.page_size_query_param, self.cursor_query_param)

    def uses_cursor(self, request: Request) -> bool:
        """Whether ``request`` asks for a cursor page (so a view can avoid orderings a cursor cannot follow)."""
        return self.cursor_query_param in request.query_params

    def limit_count(self, maximum: int) -> None:
        """Count at most ``maximum`` rows for this request (``meta.total`` is exact up to there, a lower
        bound beyond), e.g. for a query each of whose rows is costly to find."""
        self.count_limit = min(maximum, api_settings.COUNT_LIMIT)

    def limit_page_size(self, maximum: int, reason: str) -> None:
        """Lower ``per_page``'s maximum (and the default, if it is larger) for this request, e.g. for
        items that can be large; a larger ``per_page`` is 422 with ``reason`` in the message."""
        self.max_page_size = min(maximum, api_settings.MAX_PAGE_SIZE)
        self.max_page_size_reason = reason

    def paginate_queryset(self, queryset, request: Request, view=None) -> list:
        """The rows of the requested page of ``queryset`` (or of a ``Rows`` source): model instances, or
        tuples for a ``values_list()`` queryset (a cursor page may add its ordering's columns at the end)."""
        source = self.check_parameters(queryset, request)
        if self.cursor is not None:
            rows = source.fetch(0, self.per_page + 1, keys=self.keys, after=self._after)
            self.has_next = len(rows) > self.per_page
            rows = rows[: self.per_page]
            self._last_key = source.key_values(rows[-1], self.keys) if self.has_next else None
            return rows
        offset = (self.page - 1) * self.per_page
        rows = source.fetch(offset, offset + self.per_page + 1)
        self.has_next = len(rows) > self.per_page
        rows = rows[: self.per_page]
        if self.page == 1 and not self.has_next:
            self.total, self.total_exact = len(rows), True  # the first page tells the whole story
        else:
            self.total, self.total_exact = self._count(source, seen=offset + len(rows) + self.has_next)
        return rows

    def check_parameters(self, queryset, request: Request) -> Rows:
        """Read and check the request's paging parameters (422 for a bad one) without reading any row, e.g.
        before answering 304; ``queryset`` (or a ``Rows`` source) as a ``Rows`` source."""
        self.request = request
        maximum = api_settings.MAX_PAGE_SIZE if self.max_page_size is None else self.max_page_size
        self.per_page = _positive_int(
            request,
            self.page_size_query_param,
            min(api_settings.DEFAULT_PAGE_SIZE, maximum),
            maximum,
            self.max_page_size_reason,
        )
        source = queryset if isinstance(queryset, Rows) else QuerySetRows(queryset)
        self.cursor = request.query_params.get(self.cursor_query_param)
        if self.cursor is None:
            self.page = _positive_int(request, self.page_query_param, 1, maximum=10**9)
            return source
        if self.page_query_param in request.query_params:
            message = f"Send either {self.page_query_param} or {self.cursor_query_param}, not both."
            raise ValidationError({self.cursor_query_param: [message]})
        self.keys = cursors.ordering_keys(source.model, source.ordering)
        self._after = cursors.decode(source.model, self.keys, self.cursor) if self.cursor else None
        return source

    def _count(self, source: Rows, *, seen: int) -> tuple[int, bool]:
        """``(total, exact)``: counts at most ``COUNT_LIMIT + 1`` rows, so the cost stays flat however
        large the table; ``seen`` (rows known to exist from this page) keeps the bound honest."""
        limit = api_settings.COUNT_LIMIT if self.count_limit is None else self.count_limit
        counted = source.count(limit + 1)
        if counted <= limit:
            return counted, True
        return max(counted, seen), False

    def get_paginated_response(self, data: list) -> Response:
        if self.cursor is not None:
            following = cursors.encode(self.keys, self._last_key) if self.has_next else None
            meta = {"per_page": self.per_page}
            links = {"next": following and self._cursor_link(following), "prev": None}
        else:
            meta = {
                "total": self.total,
                "page": self.page,
                "per_page": self.per_page,
                "total_pages": max(1, math.ceil(self.total / self.per_page)),
                "total_exact": self.total_exact,
            }
            links = {
                "next": self._link(self.page + 1) if self.has_next else None,
                "prev": self._link(self.page - 1) if self.page > 1 else None,
            }
        response = Response({"data": data, "meta": meta, "links": links})
        response.enveloped = True
        return response

    def _cursor_link(self, cursor: str) -> str:
        return replace_query_param(self.request.build_absolute_uri(), self.cursor_query_param, cursor)

    def _link(self, page: int) -> str:
        url = self.request.build_absolute_uri()
        if page == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, page)

    def get_paginated_response_schema(self, schema: dict) -> dict[str, Any]:
        nullable_url = {"type": "string", "format": "uri", "nullable": True}
        integer = {"type": "integer", "minimum": 0}
        return {
            "type": "object",
            "required": ["data", "meta", "links"],
            "properties": {
                "data": schema,
                "meta": {
                    "type": "object",
                    "description": "With page numbers every property; with a cursor only per_page.",
                    "required": ["per_page"],
                    "properties": {
                        "total": integer,
                        "page": integer,
                        "per_page": integer,
                        "total_pages": integer,
                        "total_exact": {
                            "type": "boolean",
                            "description": "False when more rows match than the count limit: total and "
                            "total_pages are then lower bounds; follow links.next.",
                        },
                    },
                },
                "links": {
                    "type": "object",
                    "required": ["next", "prev"],
                    "properties": {
                        "next": {**nullable_url, "description": "The next page; with a cursor, its cursor in it."},
                        "prev": {**nullable_url, "description": "The previous page; null with a cursor."},
                    },
                },
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict[str, Any]]:
        return [
            {
                "name": "page",
                "required": False,
                "in": "query",
                "schema": {"type": "integer", "minimum": 1},
                "description": "Page number (1-based).",
            },
            {
                "name": "per_page",
                "required": False,
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                "description": "Items per page (default 20, at most 100).",
            },
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "schema": {"type": "string"},
                "description": "Keyset pagination instead of page numbers: empty for the first page, then the "
                "cursor in links.next, as it came. Every page costs the same however deep, and inserts or deletes "
                "meanwhile neither repeat nor skip rows. Not with page; the ordering must stay the same.",
            },
        ]
