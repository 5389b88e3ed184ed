"""Routes that answer with and without a trailing slash: ``/api/v1/posts`` and ``/api/v1/posts/`` are the
same resource, for every method, with no redirect (a redirected POST loses its body in most clients)."""

from __future__ import annotations

from django.urls import re_path
from rest_framework.routers import SimpleRouter

OPTIONAL_SLASH = "/?"


class OptionalSlashRouter(SimpleRouter):
    """DRF's ``SimpleRouter`` whose routes end in an optional slash. ``reverse()`` gives the slash-less
    form, the one the documentation and ``Location`` headers use."""

    def __init__(self) -> None:
        super().__init__(trailing_slash=False)
        self.trailing_slash = OPTIONAL_SLASH


def route(prefix: str, view, name: str):
    """``re_path`` for ``prefix`` (a literal path; ``""`` is the API root) with an optional trailing slash."""
    return re_path(rf"^{prefix}{OPTIONAL_SLASH}$", view, name=name)
