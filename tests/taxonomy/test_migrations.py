"""The role data migration (taxonomy 0002), forwards and backwards on a real schema."""

from __future__ import annotations

import pytest

from posts.roles import sync_roles as sync_post_roles
from taxonomy.roles import ROLES
from tests.migrations import migrate

# The schema is migrated back to the latest after each test (tests/conftest.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("latest_schema_afterwards")]

BEFORE = ("taxonomy", "0001_initial")
AFTER = ("taxonomy", "0002_roles")


def migrate_with_the_roles(target: tuple[str, str]):
    """Back to before 0002, the role groups as posts' migration made them (a transactional test's flush drops
    them), then to ``target``."""
    apps = migrate(BEFORE)
    sync_post_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))
    return migrate(target)


def role_permissions(apps) -> dict[str, set[str]]:
    Group = apps.get_model("auth", "Group")
    return {
        group.name: set(group.permissions.filter(content_type__app_label="taxonomy").values_list("codename", flat=True))
        for group in Group.objects.filter(name__in=ROLES)
    }


def test_the_roles_get_their_taxonomy_permissions_and_lose_only_those_backwards():
    apps = migrate_with_the_roles(AFTER)
    assert role_permissions(apps) == {
        "Editor": {
            *(f"{action}_{model}" for model in ("category", "tag") for action in ("add", "change", "delete", "view")),
            "assign_category",
            "assign_tag",
        },
        "Author": {"view_category", "view_tag", "assign_category", "assign_tag", "create_tags_inline"},
        "Contributor": {"view_category", "view_tag", "assign_category", "assign_tag"},
    }
    Group = apps.get_model("auth", "Group")
    posts_permissions = {
        name: set(
            Group.objects.get(name=name).permissions.exclude(content_type__app_label="taxonomy").values_list("pk")
        )
        for name in ROLES
    }
    assert all(posts_permissions.values())
    apps = migrate(BEFORE)
    assert role_permissions(apps) == {"Editor": set(), "Author": set(), "Contributor": set()}
    Group = apps.get_model("auth", "Group")
    assert {
        name: set(Group.objects.get(name=name).permissions.values_list("pk")) for name in ROLES
    } == posts_permissions


def test_unapplying_keeps_what_an_administrator_added_to_a_role_and_reapplying_restores_the_rest():
    apps = migrate_with_the_roles(AFTER)
    Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    Group.objects.get(name="Author").permissions.add(Permission.objects.get(codename="add_category"))
    migrate(BEFORE)  # takes away what the migration gave, keeps the rest
    assert role_permissions(migrate(BEFORE))["Author"] == {"add_category"}
    apps = migrate(AFTER)
    assert {"add_category", "create_tags_inline"} <= role_permissions(apps)["Author"]
