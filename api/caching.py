"""Cache headers for API views."""

from __future__ import annotations

from http import HTTPStatus

from django.utils.cache import patch_vary_headers
from rest_framework.request import Request
from rest_framework.response import Response

CACHEABLE_METHODS = frozenset({"GET", "HEAD"})
CACHEABLE_STATUSES = frozenset({HTTPStatus.OK, HTTPStatus.NOT_MODIFIED})


class NoStoreMixin:
    """``Cache-Control: no-store`` on every response of the view, errors included: for answers about
    the caller (``/user``, their tokens, sign-in) that no browser or proxy cache may keep."""

    def finalize_response(self, request: Request, response: Response, *args, **kwargs) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response


class PublicReadMixin:
    """Cache headers for content whose anonymous answers are the same for every anonymous caller (published
    posts), so browsers and a CDN may keep them:

    - a ``GET``/``HEAD`` answered 200 or 304 to an anonymous caller: ``public, max-age=<cache_max_age>,
      stale-while-revalidate=<cache_stale_while_revalidate>``;
    - the same to a signed-in caller (token or session), whose answer may hold drafts or differ from
      anyone else's: ``private, no-cache`` (only the caller's own cache keeps it, and revalidates it, with
      ``If-None-Match``, before each use);
    - anything else (writes, errors: a 429, a 404 for a post scheduled later): ``no-store``.

    Always ``Vary: Authorization, Cookie``, as the answer depends on both (the CORS middleware adds
    ``Origin``, DRF ``Accept``)."""

    cache_max_age: int = 0
    cache_stale_while_revalidate: int = 0

    def finalize_response(self, request: Request, response: Response, *args, **kwargs) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in CACHEABLE_METHODS or response.status_code not in CACHEABLE_STATUSES:
            response["Cache-Control"] = "no-store"
        elif request.user.is_authenticated:
            response["Cache-Control"] = "private, no-cache"
        else:
            response["Cache-Control"] = self.public_cache_control()
        patch_vary_headers(response, ("Authorization", "Cookie"))
        return response

    def public_cache_control(self) -> str:
        directives = ["public", f"max-age={self.cache_max_age}"]
        if self.cache_stale_while_revalidate:
            directives.append(f"stale-while-revalidate={self.cache_stale_while_revalidate}")
        return ", ".join(directives)
