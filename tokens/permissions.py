"""DRF permission classes for token requests: a token request needs its owner's permission *and*
the token's ability; session requests are unaffected."""

from __future__ import annotations

from rest_framework import permissions
from rest_framework.request import Request

from tokens import policies
from tokens.models import PersonalAccessToken


def is_token_request(request: Request) -> bool:
    return isinstance(request.auth, PersonalAccessToken)


class HasTokenAbility(permissions.BasePermission):
    """Token requests must hold an ability for the view's ``token_resource`` (read for safe methods,
    write otherwise). A view that declares no ``token_resource`` is closed to tokens."""

    def has_permission(self, request: Request, view) -> bool:
        if not is_token_request(request):
            return True
        resource = getattr(view, "token_resource", None)
        write = request.method not in permissions.SAFE_METHODS
        if resource is not None and request.auth.allows(resource, write=write):
            return True
        needed = f"the {resource}:{'write' if write else 'read'} ability" if resource else "a session sign-in"
        self.message = f"This token may not do this: it needs {needed}."
        return False


class RefuseBearerToken(permissions.BasePermission):
    """For endpoints a leaked token must never reach (managing tokens): session sign-in only."""

    message = "Sign in to manage tokens: API tokens cannot list, create or revoke tokens."
    refuses_tokens = True  # for the OpenAPI schema: the view takes sessions only (api.schema)

    def has_permission(self, request: Request, view) -> bool:
        return not is_token_request(request)


class ManagesOwnTokens(permissions.BasePermission):
    """``tokens.policies.can_manage_own_tokens``: the same rule as the admin's."""

    message = "This account may not manage API tokens."

    def has_permission(self, request: Request, view) -> bool:
        return policies.can_manage_own_tokens(request.user)
