"""Authentication backend tuned for the API's hot path, and the per-request caches of a user's
permissions and roles: this module is the one place that knows where they live."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class SingleQueryModelBackend(ModelBackend):
    """Django's ModelBackend, but the per-request permission cache is filled by one query (the user's
    own and their groups' permissions together) instead of two."""

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            permissions = Permission.objects.all()
            if not user_obj.is_superuser:
                permissions = permissions.filter(Q(user=user_obj) | Q(group__user=user_obj))
            rows = permissions.values_list("content_type__app_label", "codename").order_by()
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache


def prime_caches(user, *, roles: Iterable[str], permissions: Iterable[str]) -> None:
    """Give ``user`` its roles and permissions from an answer already fetched (``tokens.lookup``), so that
    ``has_perm()``, ``has_perms()``, ``has_module_perms()``, ``get_all_permissions()`` and ``roles_of()``
    cost no query for the rest of the request.

    ``permissions`` must be what ``SingleQueryModelBackend.get_all_permissions()`` would compute: the
    ``"app_label.codename"`` of the user's own and their groups' permissions, every permission for a
    superuser. An inactive user is given none, as the backend gives them none. ``roles`` are the names of
    the user's groups. The caches are ``_perm_cache``, the attribute Django's ``ModelBackend`` keeps all
    permissions in, and ``_roles_cache``, read by ``roles_of()``.
    """
    user._perm_cache = set(permissions) if user.is_active else set()
    user._roles_cache = sorted(roles)


def roles_of(user) -> list[str]:
    """The names of the user's groups (their roles), sorted; one query unless already primed."""
    if not hasattr(user, "_roles_cache"):
        user._roles_cache = sorted(user.groups.values_list("name", flat=True))
    return user._roles_cache
