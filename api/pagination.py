"""List envelope: ``{"data": [...], "meta": {total, page, per_page, total_pages}, "links": {next, prev}}``."""

from __future__ import annotations

import math
from typing import Any

from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from api.exceptions import UnprocessableEntity
from api.settings import api_settings


def _positive_int(request: Request, name: str, default: int, maximum: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise UnprocessableEntity({name: ["Must be a positive integer."]}) from None
    if value < 1:
        raise UnprocessableEntity({name: ["Must be a positive integer."]})
    if maximum is not None and value > maximum:
        raise UnprocessableEntity({name: [f"Must be at most {maximum}."]})
    return value


class PageNumberEnvelopePagination(BasePagination):
    """``?page=P&per_page=K`` (default 20, max 100). A page past the end is empty, not an error,
    so polling clients can walk pages without racing deletions."""

    page_query_param = "page"
    page_size_query_param = "per_page"

    def paginate_queryset(self, queryset, request: Request, view=None) -> list:
        self.request = request
        self.per_page = _positive_int(
            request, self.page_size_query_param, api_settings.DEFAULT_PAGE_SIZE, api_settings.MAX_PAGE_SIZE
        )
        self.page = _positive_int(request, self.page_query_param, 1, maximum=10**9)
        offset = (self.page - 1) * self.per_page
        rows = list(queryset[offset : offset + self.per_page])
        if self.page == 1 and len(rows) < self.per_page:
            self.total = len(rows)  # the first page already tells the whole story: no COUNT query
        else:
            self.total = self.count(queryset)
        return rows

    def count(self, queryset) -> int:
        return queryset.count()

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
                },
                "links": {
                    "next": self._link(self.page + 1, total_pages),
                    "prev": self._link(self.page - 1, total_pages),
                },
            }
        )
        response.enveloped = True
        return response

    def _link(self, page: int, total_pages: int) -> str | None:
        if page < 1 or page > total_pages:
            return None
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
                    "required": ["total", "page", "per_page", "total_pages"],
                    "properties": {"total": integer, "page": integer, "per_page": integer, "total_pages": integer},
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
