"""The data migration's media permissions for the three roles (media.roles)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from media.roles import ROLES, remove_from_roles, sync_roles

pytestmark = pytest.mark.django_db


def codenames(role: str) -> set[str]:
    return set(
        Group.objects.get(name=role)
        .permissions.filter(content_type__app_label="media")
        .values_list("codename", flat=True)
    )


def test_migration_gives_every_role_add_media_and_editors_the_others():
    assert codenames("Contributor") == codenames("Author") == {"add_media", "change_media", "delete_media"}
    assert codenames("Editor") == {
        "add_media",
        "change_media",
        "delete_media",
        "view_media",
        "change_others_media",
        "delete_others_media",
    }


def test_remove_and_sync_are_inverse():
    remove_from_roles(Group, Permission)
    assert all(codenames(role) == set() for role in ROLES)
    sync_roles(Group, Permission)
    assert all(codenames(role) == set(ROLES[role]) for role in ROLES)
