"""DRF permission classes for ``/api/v1/hooks``: ``webhooks.policies``, the same rule as the admin's."""

from __future__ import annotations

from rest_framework import permissions
from rest_framework.request import Request

from tokens.permissions import is_token_request
from webhooks import policies


class ManagesOwnWebhooks(permissions.BasePermission):
    """``webhooks.policies.can_manage_own_webhooks``: every active user manages their own webhooks."""

    message = "This account may not manage webhooks."

    def has_permission(self, request: Request, view) -> bool:
        return policies.can_manage_own_webhooks(request.user)


class TokenMayReadPosts(permissions.BasePermission):
    """A webhook sends posts: a token creating one must also be allowed to read posts (``posts:read``, ``read``,
    ``posts:write`` or ``*``), or ``webhooks:write`` alone would be a way around its abilities."""

    message = "This token may not do this: a webhook sends posts, so it needs the posts:read ability too."

    def has_permission(self, request: Request, view) -> bool:
        if view.action != "create" or not is_token_request(request):
            return True
        return request.auth.allows("posts", write=False)
