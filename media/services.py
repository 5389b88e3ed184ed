"""Writes of the media library: upload, edit, delete, and making renditions. The API and the admin both call these."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from media import files, policies, renditions
from media.models import Media
from posts.models import Post

logger = logging.getLogger(__name__)

# How many of the posts using a media item a refused deletion names.
POSTS_SHOWN = 20


class MediaInUse(Exception):
    """The media item is a post's featured image or is in a post's content: it cannot be deleted."""

    def __init__(self, posts: list[dict[str, Any]], total: int) -> None:
        super().__init__(f"This media is used by {total} post{'s' if total != 1 else ''}: remove it from them first.")
        self.posts = posts
        self.total = total


def storage_name(name: str, *, now=None) -> str:
    """Where a file named ``name`` (already cleaned) is stored: ``YYYY/MM/<random>-<name>``. The random part makes
    every upload's name its own, whatever other uploads are called at the same moment."""
    now = now or timezone.now()
    return f"{now:%Y/%m}/{secrets.token_hex(4)}-{name}"


def media_upload(*, user, stream: BinaryIO, name: str, alt_text: str = "", caption: str = "") -> Media:
    """Check ``stream`` (``media.files``), store what is kept of it and record it; its renditions are queued to be
    made once the transaction commits. ``files.RefusedFile`` if the file is not accepted."""
    return media_store(user=user, checked=files.check(stream), name=name, alt_text=alt_text, caption=caption)


def media_store(*, user, checked: files.CheckedFile, name: str, alt_text: str = "", caption: str = "") -> Media:
    """Store a file ``media.files.check`` accepted, as ``media_upload`` does (the admin checks it in its form)."""
    if not policies.can_upload(user):
        raise PermissionError("You may not upload media.")
    stored = default_storage.save(storage_name(files.clean_name(name, checked.mime_type)), ContentFile(checked.content))
    try:
        with transaction.atomic():
            media = Media.objects.create(
                file=stored,
                name=files.clean_name(name, checked.mime_type),
                type=Media.Type.IMAGE if checked.is_image else Media.Type.DOCUMENT,
                mime_type=checked.mime_type,
                size=len(checked.content),
                width=checked.width,
                height=checked.height,
                alt_text=alt_text,
                caption=caption,
                uploaded_by=user,
            )
            if media.is_image and renditions.specs():
                transaction.on_commit(lambda: queue_renditions(media.pk))
    except BaseException:
        default_storage.delete(stored)
        raise
    return media


def queue_renditions(media_id: int) -> None:
    """Have the job runner make the renditions of ``media_id`` (``media.tasks``)."""
    from media.tasks import make_renditions

    make_renditions.enqueue(media_id)


def media_update(*, media_id: int, user, data: dict[str, Any]) -> Media:
    """Change ``alt_text`` and ``caption``; the file itself is never replaced (upload another)."""
    with transaction.atomic():
        media = Media.objects.select_for_update().get(pk=media_id)
        if not policies.can_change(user, media):
            raise PermissionError("You may not edit this media.")
        for field in ("alt_text", "caption"):
            if field in data:
                setattr(media, field, data[field])
        media.save(update_fields=["alt_text", "caption", "updated_at"])
    return media


def posts_using(media: Media):
    """The posts whose featured image is ``media`` or whose content holds its file (its storage name's random part
    makes a false match unlikely; a URL with the name percent-encoded still matches it)."""
    folder, _, base = media.file.name.rpartition("/")
    marker = f"{folder}/{base.split('-', 1)[0]}-"  # YYYY/MM/<random>-: ASCII, whatever the name's encoding
    return (
        Post.objects.annotate(raw_text=Cast("content_raw", TextField()))
        .filter(Q(featured_media=media) | Q(raw_text__contains=marker))
        .order_by("id")
    )


def media_delete(*, media_id: int, user) -> None:
    """Delete the media item and its files; ``MediaInUse`` while a post uses it."""
    with transaction.atomic():
        media = Media.objects.select_for_update().get(pk=media_id)
        if not policies.can_delete(user, media):
            raise PermissionError("You may not delete this media.")
        using = posts_using(media)
        shown = [{"id": post.pk, "title": post.title} for post in using.only("id", "title")[:POSTS_SHOWN]]
        if shown:
            raise MediaInUse(shown, using.count())
        names = [media.file.name, *(made["file"] for made in media.renditions.values() if "file" in made)]
        media.delete()
        transaction.on_commit(lambda: _delete_files(names))


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:  # the row is gone: a file left behind costs space, not correctness
            logger.exception("Could not delete the media file %s", name)


@dataclass
class RenditionsMade:
    made: list[str]
    failed: list[str]


def renditions_make(*, media_id: int) -> RenditionsMade:
    """Make the renditions ``media_id`` lacks (``media.renditions``) and record them. A rendition that fails is
    recorded with its error and not tried again; a media item deleted meanwhile is skipped."""
    media = Media.objects.filter(pk=media_id, type=Media.Type.IMAGE).first()
    result = RenditionsMade([], [])
    if media is None:
        return result
    with default_storage.open(media.file.name, "rb") as stored:
        original = stored.read()
    stem = media.file.name.rsplit(".", 1)[0]
    done: dict[str, dict[str, Any]] = {}
    for spec in renditions.specs():
        if spec.name in media.renditions:
            continue
        try:
            content, width, height = renditions.render(original, spec, media.mime_type)
            name = default_storage.save(
                f"{stem}-{spec.name.replace('_', '-')}.{renditions.extension(spec, media.mime_type)}",
                ContentFile(content),
            )
        except Exception as error:
            logger.exception("Rendition %s of media %s failed", spec.name, media_id)
            done[spec.name] = {"error": type(error).__name__}
            result.failed.append(spec.name)
            continue
        done[spec.name] = {"file": name, "width": width, "height": height}
        result.made.append(spec.name)
    with transaction.atomic():
        current = Media.objects.select_for_update().filter(pk=media_id).first()
        if current is None:  # deleted while we worked
            _delete_files([made["file"] for made in done.values() if "file" in made])
            return result
        current.renditions = {**current.renditions, **done}
        current.save(update_fields=["renditions"])
    return result
