"""Post writes: create and update with slug allocation, publishing rules, content rendering and
optimistic concurrency. The API viewset and the admin both go through these."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from posts import content, policies
from posts.models import Post
from posts.settings import posts_settings
from webhooks import outbox

if TYPE_CHECKING:
    from api.conditional import IfMatch

SLUG_MAX_LENGTH = Post._meta.get_field("slug").max_length
# The model's excerpt is unbounded text; writes are held to this so that a post without its content stays a
# few kilobytes, which is what bounds a list response (README, Posts).
EXCERPT_MAX_LENGTH = 1000
_SLUG_ATTEMPTS = 50


class StalePost(Exception):
    """The post changed since the client fetched it (its If-Match no longer matches)."""


# parse_document's keyword for each POLYCMS_POSTS limit on a document.
_CONTENT_LIMITS = {
    "max_bytes": "CONTENT_MAX_BYTES",
    "max_blocks": "CONTENT_MAX_BLOCKS",
    "max_string_length": "CONTENT_MAX_STRING_LENGTH",
    "max_values": "CONTENT_MAX_VALUES",
    "max_table_cells": "CONTENT_MAX_TABLE_CELLS",
    "max_list_items": "CONTENT_MAX_LIST_ITEMS",
    "max_text_length": "CONTENT_MAX_TEXT_LENGTH",
    "max_markup": "CONTENT_MAX_MARKUP",
    "max_field_markup": "CONTENT_MAX_FIELD_MARKUP",
}
_CONTENT_LIMIT_NAMES = {argument: f"POLYCMS_POSTS['{key}']" for argument, key in _CONTENT_LIMITS.items()}


def content_parse(value: Any) -> content.Document:
    """``content.parse_document`` with the configured ``POLYCMS_POSTS`` limits, each named by its setting in
    error messages: the one Editor.js validation and sanitizing the API and the admin share. Raises
    ``content.ContentError``."""
    limits = {argument: getattr(posts_settings, key) for argument, key in _CONTENT_LIMITS.items()}
    return content.parse_document(value, **limits, limit_names=_CONTENT_LIMIT_NAMES)


def slug_base(text: str) -> str:
    """``[a-z0-9-]`` slug of ``text``; ``post`` when nothing usable remains."""
    # slugify keeps underscores, which the API's slug format refuses: make them word breaks.
    base = slugify(text.replace("_", " "), allow_unicode=False)[: SLUG_MAX_LENGTH - 8].strip("-")
    return base or "post"


def _next_free_slug(base: str, exclude_pk: int | None) -> str:
    taken = set(
        Post.objects.filter(slug__regex=rf"^{re.escape(base)}(-[0-9]+)?$")
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


class PublishingDenied(PermissionDenied):
    """A change only users who may publish can make; ``field`` is the one that makes it."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def check_publishing(user, post: Post | None, changes: dict) -> None:
    """Raise ``PublishingDenied`` when ``changes`` publish, schedule, unpublish or set ``published_at`` and
    ``user`` may not publish. So a draft only ever carries a date a publisher set."""
    if policies.publishing_change(post, changes) and not policies.can_publish(user):
        raise PublishingDenied("You may not publish, schedule or unpublish posts.", field="status")
    if policies.sets_published_at(post, changes) and not policies.can_publish(user):
        raise PublishingDenied(
            "You may not set published_at: only users who may publish posts can.", field="published_at"
        )


def _apply_publishing(post: Post) -> None:
    if post.status == Post.Status.PUBLISHED and post.published_at is None:
        post.published_at = timezone.now()  # first publish


def post_create(*, author, data: dict[str, Any]) -> Post:
    """Create a post by ``author`` from validated ``data``.

    Without a ``slug`` one is made from the title; a taken slug gets ``-2``, ``-3``… Concurrent creates
    with the same title each get their own slug (a lost race is retried, never a 500).
    """
    if not policies.can_create(author):
        raise PermissionDenied("You may not create posts.")
    check_publishing(author, None, data)
    post = Post(author=author, updated_by=author, **data)
    _apply_publishing(post)
    post.render_content()
    base = slug_base(data.get("slug") or data.get("title", ""))
    for _ in range(_SLUG_ATTEMPTS):
        post.slug = _next_free_slug(base, exclude_pk=None)
        try:
            with transaction.atomic():
                post.save(force_insert=True)
                outbox.record_post_change(before=None, after=post)
            return post
        except IntegrityError:
            if Post.objects.filter(slug=post.slug).exists():
                post.pk = None
                continue  # someone took this slug between our read and our insert: try the next one
            raise
    raise ValidationError({"slug": ["Could not allocate a unique slug; retry the request."]})


def post_update(*, post_id: int, user, data: dict[str, Any], if_match: IfMatch | None = None) -> Post:
    """Apply ``data`` to the post under a row lock, in one transaction.

    ``if_match`` (a parsed If-Match) must match the stored version's ETag or ``StalePost`` is raised and
    nothing is written; without it the last write wins. ``user`` is recorded as ``updated_by``.
    """
    with transaction.atomic():
        post = Post.objects.select_for_update().select_related("author").get(pk=post_id)
        if if_match is not None and not if_match.matches(post.etag):
            raise StalePost
        if not policies.can_change(user, post):
            raise PermissionDenied("You may not edit this post.")
        check_publishing(user, post, data)
        before = outbox.post_state(post)
        for field, value in data.items():
            setattr(post, field, value)
        _apply_publishing(post)
        if "content_raw" in data:
            post.render_content()
        post.version += 1
        post.updated_at = timezone.now()
        post.updated_by = user
        try:
            with transaction.atomic():
                post.save()
        except IntegrityError:
            raise ValidationError({"slug": ["This slug is already in use."]}) from None
        outbox.record_post_change(before=before, after=post)
    return post


def post_delete(*, post_id: int, user, if_match: IfMatch | None = None) -> None:
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post_id)
        if if_match is not None and not if_match.matches(post.etag):
            raise StalePost
        if not policies.can_delete(user, post):
            raise PermissionDenied("You may not delete this post.")
        before = outbox.post_state(post)
        post.delete()
        outbox.record_post_change(before=before, after=None)
