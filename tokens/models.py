"""Personal access tokens. The plaintext exists only in the return value of ``services.token_create``;
the database keeps an HMAC digest and a 4-character hint."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tokens import abilities as token_abilities
from tokens import crypto, policies


class TokenQuerySet(models.QuerySet):
    def active(self, now: datetime | None = None) -> TokenQuerySet:
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))

    def expired(self, now: datetime | None = None) -> TokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__lte=now or timezone.now())

    def revoked(self) -> TokenQuerySet:
        return self.filter(revoked_at__isnull=False)

    def visible_to(self, user) -> TokenQuerySet:
        """The tokens ``user`` may see and revoke (``tokens.policies``)."""
        if policies.sees_every_token(user):
            return self
        if policies.can_manage_own_tokens(user):
            return self.filter(owner=user)
        return self.none()


class PersonalAccessToken(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(max_length=100, help_text='What the token is for, e.g. "Zapier Integration".')
    abilities = models.JSONField(default=list, help_text="What the token may do within its owner's permissions.")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=crypto.HINT_LENGTH, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = TokenQuerySet.as_manager()

    class Meta:
        verbose_name = "API token"
        verbose_name_plural = "API tokens"
        ordering = ["-created_at", "-id"]
        permissions = [("revoke_any_token", "Can revoke any user's token")]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"],
                condition=Q(revoked_at__isnull=True),
                name="token_name_unique_per_owner_while_not_revoked",
                violation_error_message="You already have an active token with this name.",
            ),
        ]
        indexes = [models.Index(fields=["owner", "-created_at"], name="token_owner_created_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.display_hint})"

    @property
    def display_hint(self) -> str:
        return f"{crypto.PREFIX}…{self.hint}"

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_active(self, now: datetime | None = None) -> bool:
        return not self.is_revoked() and not self.is_expired(now)

    @property
    def status(self) -> str:
        if self.is_revoked():
            return self.Status.REVOKED
        return self.Status.EXPIRED if self.is_expired() else self.Status.ACTIVE

    def allows(self, resource: str, *, write: bool) -> bool:
        return token_abilities.grants(self.abilities, resource, write=write)
