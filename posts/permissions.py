"""DRF permission class enforcing ``posts.policies`` (the same rules the admin uses)."""

from __future__ import annotations

from rest_framework import permissions

from posts import policies


class PostAccess(permissions.BasePermission):
    """Reads are open (visibility is the queryset's job: hidden posts are 404); creating needs
    ``add_post``; editing and deleting follow the role rules of ``posts.policies``."""

    anonymous_reads = True  # for the OpenAPI schema (api.schema)

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if not request.user.is_authenticated:
            return False
        if view.action == "create":
            self.message = "You may not create posts."
            return policies.can_create(request.user)
        return True

    def has_object_permission(self, request, view, post) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if request.method == "DELETE":
            self.message = "You may not delete this post."
            return policies.can_delete(request.user, post)
        self.message = "You may not edit this post."
        return policies.can_change(request.user, post)
