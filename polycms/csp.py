"""django-csp's middleware with each policy built once per process instead of once per response.

``CSPMiddleware`` rebuilds the ``Content-Security-Policy`` header from the settings on every response
(about a third of the CPU of a minimal response through our middleware stack, profiled). The header
depends only on the settings, on the ``csp_update`` / ``csp_replace`` / ``csp_config`` dicts a view's
decorators attach to its response, and on the nonce when a template asked for one. So without a nonce it
is built once per (enforced or report-only, config, update, replace) and reused; with a nonce it is built
as django-csp builds it, every time (a nonce must never be reused). The cache is emptied when the CSP
settings change (``override_settings`` in tests).
"""

from __future__ import annotations

import http.client
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase

# Distinct policies are a handful (the settings, and each decorated view's dicts); past this many, a
# view building its dicts per request is served uncached rather than growing the cache.
MAX_CACHED_POLICIES = 64
_DEBUG_EXEMPT = (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND)
_policies: dict[tuple, str] = {}


@receiver(setting_changed)
def _forget_policies(*, setting: str, **kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _policies.clear()


def _frozen(value: Any) -> Any:
    """A hashable stand-in for a directives dict, equal for dicts that build the same policy."""
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return (list, tuple(_frozen(item) for item in value))
    if isinstance(value, set | frozenset):
        return (set, tuple(sorted(value, key=str)))
    hash(value)  # TypeError for anything else unhashable: built uncached
    return value


def cached_policy(parts: PolicyParts, *, report_only: bool) -> str:
    """``csp.utils.build_policy`` for ``parts``, from the cache when no nonce is involved."""
    build = {"config": parts.config, "update": parts.update, "replace": parts.replace, "report_only": report_only}
    if parts.nonce is not None:
        return build_policy(**build, nonce=parts.nonce)
    try:
        key = (report_only, _frozen(parts.config), _frozen(parts.update), _frozen(parts.replace))
    except TypeError:
        return build_policy(**build)
    try:
        return _policies[key]
    except KeyError:
        policy = build_policy(**build)
        if len(_policies) < MAX_CACHED_POLICIES:
            _policies[key] = policy
        return policy


class CachedCSPMiddleware(CSPMiddleware):
    """``csp.middleware.CSPMiddleware`` (same settings, decorators, exemptions and nonce) whose headers
    come from ``cached_policy``."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if response.status_code in _DEBUG_EXEMPT and settings.DEBUG:
            return response
        for report_only, header, exempt, setting in (
            (False, HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (True, HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            parts = self.get_policy_parts(request=request, response=response, report_only=report_only)
            policy = cached_policy(parts, report_only=report_only)
            if not policy or header in response or getattr(response, exempt, False) is not False:
                continue
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[header] = policy
        # As django-csp does: once the header is written, a nonce asked for later could not be in it.
        if getattr(request, "_csp_nonce", None) is None:
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
