"""Reads of the media library: the list a user may see, and the public URLs of files and renditions."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.db.models import QuerySet

from media import renditions
from media.middleware import current_request
from media.models import Media


def media_for(user) -> QuerySet[Media]:
    """The library as ``user`` sees it: every item (``media.policies.can_view`` decides whether they see it at
    all), newest first, with its uploader."""
    return Media.objects.select_related("uploaded_by")


def file_url(name: str) -> str:
    """The public URL of the stored file ``name``: the storage's (``MEDIA_URL`` or the bucket's), made absolute with
    the current request's scheme and host when the storage gives a path, as an Editor.js image block needs."""
    url = default_storage.url(name)
    request = current_request.get()
    if url.startswith("/") and not url.startswith("//") and request is not None:
        return request.build_absolute_uri(url)
    return url


def renditions_of(media: Media) -> dict[str, dict[str, Any]]:
    """``{name: {url, width, height, status}}`` for every rendition an image gets: ``ready`` with its URL,
    ``pending`` (its size as it will be, no URL yet) or ``failed``. Documents have none."""
    if media.type != Media.Type.IMAGE:
        return {}
    shown = {}
    for spec in renditions.specs():
        made = media.renditions.get(spec.name)
        if made and "file" in made:
            shown[spec.name] = {
                "url": file_url(made["file"]),
                "width": made["width"],
                "height": made["height"],
                "status": "ready",
            }
            continue
        width, height = spec.size_for(media.width or 1, media.height or 1)
        status = "failed" if made else "pending"
        shown[spec.name] = {"url": None, "width": width, "height": height, "status": status}
    return shown


def pending_renditions(media: Media) -> list[str]:
    return [name for name, shown in renditions_of(media).items() if shown["status"] == "pending"]
