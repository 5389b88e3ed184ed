"""Permission classes. A token request needs its owner's permission *and* the token's ability."""

from __future__ import annotations

from rest_framework import permissions
from rest_framework.request import Request

from api.authentication import is_token_request


class TokenAbility(permissions.BasePermission):
    """Token requests must hold an ability for the view's ``token_resource`` (read for safe methods,
    write otherwise). Session requests pass through to the other checks. A view that declares no
    ``token_resource`` is closed to tokens."""

    def has_permission(self, request: Request, view) -> bool:
        if not is_token_request(request):
            return True
        resource = getattr(view, "token_resource", None)
        write = request.method not in permissions.SAFE_METHODS
        if resource is not None and request.auth.allows(resource, write=write):
            return True
        needed = f"{resource}:{'write' if write else 'read'}" if resource else "session sign-in"
        self.message = f"This token lacks the ability this request needs ({needed})."
        return False


class RefuseBearerToken(permissions.BasePermission):
    """For endpoints a leaked token must never reach (managing tokens): session sign-in only."""

    message = "Sign in to manage tokens: API tokens cannot list, create or revoke tokens."

    def has_permission(self, request: Request, view) -> bool:
        return not is_token_request(request)


IsAuthenticated = permissions.IsAuthenticated
