"""Who may do what with categories and tags. One set of rules for the API and the admin.

Everyone, signed in or not, reads every category and tag. Managing them takes the model permissions (Editors);
attaching them to a post takes ``assign_category`` / ``assign_tag`` besides the right to edit the post (Authors and
Contributors too); creating a tag by name while writing a post takes ``add_tag``, or ``create_tags_inline`` while
``POLYCMS_TAXONOMY['AUTHORS_CREATE_TAGS']`` is on (Authors).
"""

from __future__ import annotations

from taxonomy.settings import taxonomy_settings

# The model names, as permissions spell them.
CATEGORY, TAG = "category", "tag"


def can_add(user, model: str) -> bool:
    return user.has_perm(f"taxonomy.add_{model}")


def can_change(user, model: str) -> bool:
    return user.has_perm(f"taxonomy.change_{model}")


def can_delete(user, model: str) -> bool:
    return user.has_perm(f"taxonomy.delete_{model}")


def can_assign(user, model: str) -> bool:
    return user.has_perm(f"taxonomy.assign_{model}")


def can_create_tags_inline(user) -> bool:
    if user.has_perm("taxonomy.add_tag"):
        return True
    return bool(taxonomy_settings.AUTHORS_CREATE_TAGS) and user.has_perm("taxonomy.create_tags_inline")
