"""DRF permission class enforcing ``taxonomy.policies`` (the same rules the admin uses)."""

from __future__ import annotations

from rest_framework import permissions

from taxonomy import policies

_VERBS = {"POST": ("create", policies.can_add), "DELETE": ("delete", policies.can_delete)}


class TaxonomyAccess(permissions.BasePermission):
    """Reads are open to everyone, anonymous callers included; creating, editing and deleting a category or tag
    need the model permission (``taxonomy.add_tag``…). The view names its model in ``taxonomy_model``."""

    anonymous_reads = True  # for the OpenAPI schema (api.schema)

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if not request.user.is_authenticated:
            return False
        model = view.taxonomy_model
        verb, allowed = _VERBS.get(request.method, ("edit", policies.can_change))
        self.message = f"You may not {verb} {'categories' if model == policies.CATEGORY else 'tags'}."
        return allowed(request.user, model)
