"""What the Editor, Author and Contributor roles (``posts.roles``) may do with the media library.

All three upload, and edit and delete their own uploads; Editors also edit and delete everyone's. Given to the groups
by a data migration, editable afterwards in the admin's group editor.
"""

from __future__ import annotations

from posts.roles import grant, revoke

_OWN = ["add_media", "change_media", "delete_media"]

ROLES: dict[str, list[str]] = {
    "Editor": [*_OWN, "view_media", "change_others_media", "delete_others_media"],
    "Author": _OWN,
    "Contributor": _OWN,
}


def sync_roles(group_model, permission_model) -> None:
    """Give each role group (created if missing) at least its media permissions (``posts.roles.grant``)."""
    grant("media", ROLES, group_model, permission_model)


def remove_from_roles(group_model, permission_model) -> None:
    revoke("media", ROLES, group_model, permission_model)
