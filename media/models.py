"""A media item: one uploaded file in the default storage (``STORAGES["default"]``), with its renditions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

ALT_TEXT_MAX_LENGTH = 255
CAPTION_MAX_LENGTH = 500


class Media(models.Model):
    class Type(models.TextChoices):
        IMAGE = "image", "Image"
        DOCUMENT = "document", "Document"

    file = models.FileField(max_length=255, help_text="Its name in the storage: YYYY/MM/<random>-<name>.")
    name = models.CharField(max_length=255, help_text="The uploaded file's name, cleaned.")
    type = models.CharField(max_length=10, choices=Type.choices)
    mime_type = models.CharField(max_length=100, help_text="Read from the content.")
    size = models.PositiveBigIntegerField(help_text="Bytes, as stored.")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    alt_text = models.CharField(max_length=ALT_TEXT_MAX_LENGTH, blank=True, default="")
    caption = models.CharField(max_length=CAPTION_MAX_LENGTH, blank=True, default="")
    # {name: {"file": storage name, "width", "height"}} as they are made; {"error": …} for one that failed.
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="media")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "media item"
        verbose_name_plural = "media"
        ordering = ["-created_at", "-id"]
        permissions = [
            ("change_others_media", "Can change media others uploaded"),
            ("delete_others_media", "Can delete media others uploaded"),
        ]
        indexes = [models.Index(fields=["type", "-created_at"]), models.Index(fields=["uploaded_by", "-created_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.type == self.Type.IMAGE

    def rendition(self, name: str) -> dict[str, Any] | None:
        """The made rendition ``name`` (``{"file", "width", "height"}``), or None."""
        made = self.renditions.get(name)
        return made if made and "file" in made else None
