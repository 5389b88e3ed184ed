"""List envelope: ``{"data": [...], "meta": {total, page, per_page, total_pages, total_exact},
"links": {next, prev}}``."""

from __future__ import annotations

import math
from typing import Any

from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

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


class PageNumberEnvelopePagination(BasePagination):
    """``?page=P&per_page=K`` (default 20, max 100; a view may lower both for a request with
    ``limit_page_size()``). A page past the end is empty, not an error, so polling clients can walk pages
    without racing deletions.

    ``meta.total`` is exact up to ``COUNT_LIMIT`` matching rows; past that, counting every row would
    make each list request cost O(table), so the count stops there and says so: ``total_exact`` is
    false and ``total`` / ``total_pages`` are lower bounds. ``links.next`` is always exact (one extra
    row is fetched to know whether another page exists).
    """

    page_query_param = "page"
    page_size_query_param = "per_page"
    max_page_size: int | None = None  # None: POLYCMS_API["MAX_PAGE_SIZE"]
    max_page_size_reason = ""

    @property
    def query_parameters(self) -> tuple[str, str]:
        """The parameters a paginated list accepts (see ``api.query``)."""
        return (self.page_query_param, self.page_size_query_param)

    def limit_page_size(self, maximum: int, reason: str) -> None:
        """Lower ``per_page``'s maximum (and the default, if it is larger) for this request, e.g. for
        items that can be large; a larger ``per_page`` is 422 with ``reason`` in the message."""
        self.max_page_size = min(maximum, api_settings.MAX_PAGE_SIZE)
        self.max_page_size_reason = reason

    def paginate_queryset(self, queryset, request: Request, view=None) -> list:
        self.request = request
        maximum = api_settings.MAX_PAGE_SIZE if self.max_page_size is None else self.max_page_size
        self.per_page = _positive_int(
            request,
            self.page_size_query_param,
            min(api_settings.DEFAULT_PAGE_SIZE, maximum),
            maximum,
            self.max_page_size_reason,
        )
        self.page = _positive_int(request, self.page_query_param, 1, maximum=10**9)
        offset = (self.page - 1) * self.per_page
        rows = list(queryset[offset : offset + self.per_page + 1])
        self.has_next = len(rows) > self.per_page
        rows = rows[: self.per_page]
        if self.page == 1 and not self.has_next:
            self.total, self.total_exact = len(rows), True  # the first page tells the whole story
        else:
            self.total, self.total_exact = self._count(queryset, seen=offset + len(rows) + self.has_next)
        return rows

    @staticmethod
    def _count(queryset, *, seen: int) -> tuple[int, bool]:
        """``(total, exact)``: counts at most ``COUNT_LIMIT + 1`` rows, so the cost stays flat however
        large the table; ``seen`` (rows known to exist from this page) keeps the bound honest."""
        limit = api_settings.COUNT_LIMIT
        counted = queryset.order_by()[: limit + 1].count()
        if counted <= limit:
            return counted, True
        return max(counted, seen), False

    def get_paginated_response(self, data: list) -> Response:
        total_pages = max(1, math.ceil(self.total / self.per_page))
        response = Response(
            {
                "data": data,
                "meta": {
                    "total": self.total,
                    "page": self.page,
                    "per_page": self.per_page,
                    "total_pages": total_pages,
                    "total_exact": self.total_exact,
                },
                "links": {
                    "next": self._link(self.page + 1) if self.has_next else None,
                    "prev": self._link(self.page - 1) if self.page > 1 else None,
                },
            }
        )
        response.enveloped = True
        return response

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
                    "required": ["total", "page", "per_page", "total_pages", "total_exact"],
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
                    "properties": {"next": nullable_url, "prev": nullable_url},
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
        ]
