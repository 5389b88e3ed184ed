"""Who may do what with the media library. One set of rules for the API and the admin.

Uploading takes ``media.add_media`` (all three roles). Everyone who may upload sees the whole library (to pick from
it). Editing or deleting one's own uploads takes ``change_media`` / ``delete_media``; others' take
``change_others_media`` / ``delete_others_media`` besides (Editors).
"""

from __future__ import annotations

from media.models import Media


def can_view(user) -> bool:
    return user.has_perm("media.view_media") or user.has_perm("media.add_media")


def can_upload(user) -> bool:
    return user.has_perm("media.add_media")


def can_change(user, media: Media) -> bool:
    return user.has_perm("media.change_media") and (
        media.uploaded_by_id == user.pk or user.has_perm("media.change_others_media")
    )


def can_delete(user, media: Media) -> bool:
    return user.has_perm("media.delete_media") and (
        media.uploaded_by_id == user.pk or user.has_perm("media.delete_others_media")
    )
