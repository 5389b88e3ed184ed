"""What the Editor, Author and Contributor roles (``posts.roles``) may do with the media library.

All three upload, and edit and delete their own uploads; Editors also edit and delete everyone's. Given to the groups
by a data migration, editable afterwards in the admin's group editor.
"""

from __future__ import annotations

_OWN = ["add_media", "change_media", "delete_media"]

ROLES: dict[str, list[str]] = {
    "Editor": [*_OWN, "view_media", "change_others_media", "delete_others_media"],
    "Author": _OWN,
    "Contributor": _OWN,
}


def sync_roles(group_model, permission_model) -> None:
    """Give each role group (created if missing) at least its media permissions. Takes the models as arguments so
    a migration can pass its historical ones."""
    for role, codenames in ROLES.items():
        group, _ = group_model.objects.get_or_create(name=role)
        group.permissions.add(*permission_model.objects.filter(content_type__app_label="media", codename__in=codenames))


def remove_from_roles(group_model, permission_model) -> None:
    for role, codenames in ROLES.items():
        group = group_model.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(
                *permission_model.objects.filter(content_type__app_label="media", codename__in=codenames)
            )
