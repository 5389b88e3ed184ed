"""The Editor, Author and Contributor roles: groups holding post permissions.

Created by a data migration and editable afterwards in the admin's group editor.
"""

from __future__ import annotations

ROLES: dict[str, list[str]] = {
    "Editor": [
        "add_post",
        "change_post",
        "delete_post",
        "view_post",
        "publish_post",
        "change_others_post",
        "delete_others_post",
    ],
    "Author": ["add_post", "change_post", "delete_post", "publish_post"],
    "Contributor": ["add_post", "change_post"],
}


def sync_roles(group_model, permission_model) -> None:
    """Create any missing role group and give it at least its default permissions. Takes the models
    as arguments so a migration can pass its historical ones."""
    for role, codenames in ROLES.items():
        group, _ = group_model.objects.get_or_create(name=role)
        group.permissions.add(*permission_model.objects.filter(content_type__app_label="posts", codename__in=codenames))
