"""What the Editor, Author and Contributor roles (``posts.roles``) may do with categories and tags.

Editors manage both; Authors and Contributors attach existing ones to the posts they may edit, and see them in the
admin (its pickers need it); Authors may also create tags while writing (``POLYCMS_TAXONOMY['AUTHORS_CREATE_TAGS']``).
Given to the groups by a data migration, editable afterwards in the admin's group editor.
"""

from __future__ import annotations

from posts.roles import grant, revoke

_ATTACH = ["view_category", "view_tag", "assign_category", "assign_tag"]

ROLES: dict[str, list[str]] = {
    "Editor": [
        *(f"{action}_{model}" for model in ("category", "tag") for action in ("add", "change", "delete", "view")),
        "assign_category",
        "assign_tag",
    ],
    "Author": [*_ATTACH, "create_tags_inline"],
    "Contributor": _ATTACH,
}


def sync_roles(group_model, permission_model) -> None:
    """Give each role group (created if missing) at least its taxonomy permissions (``posts.roles.grant``)."""
    grant("taxonomy", ROLES, group_model, permission_model)


def remove_from_roles(group_model, permission_model) -> None:
    revoke("taxonomy", ROLES, group_model, permission_model)
