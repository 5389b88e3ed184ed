"""Posts and pages. ``content_raw`` is the Editor.js document; ``content_html`` and ``content_text`` are
derived from it on every save (see ``posts.content``)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from posts import content

# The largest id a BigAutoField can hold; larger numbers name no post (and SQLite cannot compare them).
MAX_ID = 2**63 - 1

# The slug rule: lowercase ASCII words joined by single hyphens, e.g. "hello-via-api". On the model field,
# so the API serializer and the admin form both validate with it.
validate_post_slug = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z",
    "Use lowercase letters, digits and single hyphens (e.g. hello-via-api).",
)


def parse_id(value: str) -> int | None:
    """``value`` as a post (or user) id, or None when it cannot be one. ASCII digits only: "²".isdigit()
    is true, but int() refuses it."""
    if value.isascii() and value.isdigit() and int(value) <= MAX_ID:
        return int(value)
    return None


def live_q(now: datetime | None = None) -> Q:
    """Published and no longer scheduled: what the public may see (``Post.is_live`` in Python)."""
    return Q(status=Post.Status.PUBLISHED, published_at__lte=now or timezone.now())


def empty_document() -> dict:
    return {"blocks": []}


class PostQuerySet(models.QuerySet):
    def live(self, now: datetime | None = None) -> PostQuerySet:
        """Published and no longer scheduled: what the public may see."""
        return self.filter(live_q(now))

    def visible_to(self, user) -> PostQuerySet:
        """Holders of ``posts.view_post`` see everything; others the live posts plus their own."""
        if user.is_authenticated and user.has_perm("posts.view_post"):
            return self
        if not user.is_authenticated:
            return self.live()
        return self.filter(live_q() | Q(author=user))


class Post(models.Model):
    class Type(models.TextChoices):
        POST = "post", "Post"
        PAGE = "page", "Page"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    type = models.CharField(max_length=10, choices=Type.choices, default=Type.POST)
    title = models.CharField(max_length=255)
    # A CharField: SlugField would add Django's looser slug validator, with another message, beside ours.
    slug = models.CharField(max_length=255, unique=True, validators=[validate_post_slug])
    excerpt = models.TextField(blank=True, default="")
    content_raw = models.JSONField(default=empty_document, blank=True)
    content_html = models.TextField(blank=True, default="", editable=False)
    content_text = models.TextField(blank=True, default="", editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts")
    meta_title = models.CharField(max_length=255, blank=True, default="")
    meta_description = models.CharField(max_length=500, blank=True, default="")
    # Its featured image, from the media library (README "Media"); an item featured by a post cannot be deleted.
    featured_media = models.ForeignKey(
        "media.Media",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="featured_in",
        limit_choices_to={"type": "image"},
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    # Bumped on every write; the ETag is derived from it, so If-Match detects lost updates.
    version = models.PositiveIntegerField(default=1, editable=False)
    # Who made the last write (posts.services sets it, through the API or the admin): the admin's edit conflict
    # message names them. Null for posts last written before it was recorded, or by a deleted user.
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("publish_post", "Can publish, schedule and unpublish posts"),
            ("change_others_post", "Can edit other users' posts"),
            ("delete_others_post", "Can delete other users' posts"),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="post_created_idx"),
            models.Index(fields=["status", "-published_at"], name="post_status_published_idx"),
            models.Index(fields=["author", "-created_at"], name="post_author_created_idx"),
            models.Index(fields=["type", "-created_at"], name="post_type_created_idx"),
            models.Index(fields=["-updated_at"], name="post_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def etag(self) -> str:
        return f'"{self.pk}-{self.version}"'

    def is_live(self, now: datetime | None = None) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= (now or timezone.now())
        )

    def render_content(self) -> None:
        """Derive ``content_html`` and ``content_text`` from the (validated) ``content_raw``."""
        self.content_html = content.render_html(self.content_raw)
        self.content_text = content.plain_text(self.content_raw)


class IdempotencyRecord(models.Model):
    """The first response to a ``POST /api/v1/posts`` sent with an ``Idempotency-Key``, kept 24 hours so
    a retry of the same request gets it again instead of creating a duplicate."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True)
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return f"{self.key} ({self.user_id})"
