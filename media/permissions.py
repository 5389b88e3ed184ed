"""DRF permission class enforcing ``media.policies`` (the same rules the admin uses)."""

from __future__ import annotations

from rest_framework import permissions

from media import policies


class MediaAccess(permissions.BasePermission):
    """Reading the library takes the right to upload to it (or ``view_media``); uploading ``add_media``; editing and
    deleting an item are checked on the item (``has_object_permission``)."""

    message = "You may not use the media library."

    def has_permission(self, request, view) -> bool:
        if request.method == "POST":
            self.message = "You may not upload media."
            return policies.can_upload(request.user)
        return policies.can_view(request.user)

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        if request.method == "DELETE":
            self.message = "You may not delete media others uploaded: that takes the Editor role."
            return policies.can_delete(request.user, obj)
        self.message = "You may not edit media others uploaded: that takes the Editor role."
        return policies.can_change(request.user, obj)
