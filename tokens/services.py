"""Token writes: create, revoke, re-key, record use, prune. Views, the admin and commands all call these."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.dispatch import Signal
from django.utils import timezone

from tokens import abilities as token_abilities
from tokens import crypto
from tokens.lookup import token_by_digests
from tokens.models import PersonalAccessToken
from tokens.settings import token_settings

audit = logging.getLogger("polycms.audit")

NAME_MAX_LENGTH = PersonalAccessToken._meta.get_field("name").max_length

# Sent once per token, by the call that revoked it, with ``token`` and ``by``: what the token set up stops too
# (webhooks it created are disabled).
token_revoked = Signal()


def token_create(
    *,
    owner,
    name: str,
    abilities: list[str] | None = None,
    expires_at: datetime | None = None,
    ip: str | None = None,
) -> tuple[PersonalAccessToken, str]:
    """Validate and create a token for ``owner``; return ``(token, plaintext)``.

    Raises ``ValidationError`` keyed by field (name, abilities, expires_at; ``non_field_errors`` when
    ``owner`` already holds ``MAX_ACTIVE_PER_USER`` active tokens). An *expired* token that still holds
    the name is revoked so the name can be reused; an active one is a clash.
    """
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["A token needs a name, e.g. “Zapier Integration”."]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [f"At most {NAME_MAX_LENGTH} characters."]
    try:
        abilities = token_abilities.normalize(abilities if abilities is not None else token_abilities.DEFAULT_ABILITIES)
    except ValueError as exc:
        errors["abilities"] = [str(exc)]
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        errors["expires_at"] = ["The expiry must be in the future."]
    if errors:
        raise ValidationError(errors)

    name_taken = ValidationError({"name": ["You already have an active token with this name."]})
    with transaction.atomic():
        # Creates for one owner queue here, so two concurrent ones cannot both take the last free place.
        list(get_user_model()._default_manager.select_for_update().filter(pk=owner.pk).values_list("pk"))
        _check_token_cap(owner, now)
        PersonalAccessToken.objects.expired(now).filter(owner=owner, name=name).update(revoked_at=now)
        if PersonalAccessToken.objects.active(now).filter(owner=owner, name=name).exists():
            raise name_taken
        try:
            with transaction.atomic():
                plaintext = crypto.generate_token()
                token = PersonalAccessToken.objects.create(
                    owner=owner,
                    name=name,
                    abilities=abilities,
                    expires_at=expires_at,
                    digest=crypto.digest(plaintext),
                    hint=crypto.hint(plaintext),
                )
        except IntegrityError:  # a concurrent create took the name between our check and insert
            raise name_taken from None
    audit.info("token.created", extra={"audit": _audit_fields(token, actor=owner, ip=ip)})
    return token, plaintext


def _check_token_cap(owner, now: datetime) -> None:
    cap = token_settings.MAX_ACTIVE_PER_USER
    if PersonalAccessToken.objects.active(now).filter(owner=owner).count() >= cap:
        raise ValidationError(
            {
                "non_field_errors": [
                    f"You already have {cap} active tokens, the most one account may hold. "
                    "Revoke one you no longer use, then create this one."
                ]
            }
        )


def token_revoke(*, token: PersonalAccessToken, by, ip: str | None = None) -> bool:
    """Revoke ``token`` (idempotent). Returns False when it was already revoked.

    One conditional UPDATE, so two concurrent revokes record a single revoker; every request that
    starts after this commits is refused.
    """
    now = timezone.now()
    updated = PersonalAccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=by
    )
    if updated:
        token.revoked_at, token.revoked_by = now, by
        audit.info("token.revoked", extra={"audit": _audit_fields(token, actor=by, ip=ip)})
        token_revoked.send(sender=PersonalAccessToken, token=token, by=by)
    return bool(updated)


def tokens_revoke(*, tokens: QuerySet[PersonalAccessToken], by, ip: str | None = None) -> list[PersonalAccessToken]:
    """Revoke every not-yet-revoked token in ``tokens``; returns the tokens this call revoked."""
    pending = tokens.filter(revoked_at__isnull=True).select_related("owner")
    return [token for token in pending if token_revoke(token=token, by=by, ip=ip)]


def token_lookup(plaintext: str) -> PersonalAccessToken | None:
    """The token for ``plaintext``, whatever its state, with its owner and the owner's roles and
    permissions, in one query and no write; None if unknown.

    Callers check the format first (``crypto.is_well_formed``) so garbage never reaches the database.
    A token still digested under a fallback secret key is found too; ``token_rekey`` moves it to the
    current key.
    """
    candidates = crypto.candidate_digests(plaintext)
    token = token_by_digests(candidates)
    if token is None or not any(crypto.digests_match(token.digest, c) for c in candidates):
        return None
    return token


def token_rekey(*, token: PersonalAccessToken, plaintext: str) -> bool:
    """Re-digest ``token`` under the current ``SECRET_KEY`` if ``token_lookup`` found it under a fallback
    key; returns whether this call wrote.

    No query when the digest is already current; otherwise one conditional UPDATE, so concurrent
    requests re-key once between them.
    """
    current = crypto.digest(plaintext)
    if crypto.digests_match(token.digest, current):
        return False
    updated = PersonalAccessToken.objects.filter(pk=token.pk, digest=token.digest).update(digest=current)
    token.digest = current
    return bool(updated)


def token_record_use(*, token: PersonalAccessToken, ip: str | None, now: datetime | None = None) -> bool:
    """Write ``last_used_at``/``last_used_ip`` at most once per ``LAST_USED_WRITE_INTERVAL`` per token.

    No query at all while the loaded value is fresh; otherwise one conditional UPDATE, so concurrent
    workers racing on the same token write once between them.
    """
    now = now or timezone.now()
    threshold = now - timedelta(seconds=token_settings.LAST_USED_WRITE_INTERVAL)
    if token.last_used_at is not None and token.last_used_at > threshold:
        return False
    updated = (
        PersonalAccessToken.objects.filter(pk=token.pk)
        .filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=threshold))
        .update(last_used_at=now, last_used_ip=ip)
    )
    token.last_used_at, token.last_used_ip = now, ip
    return bool(updated)


def tokens_prune(*, older_than_days: int) -> int:
    """Delete tokens revoked or expired more than ``older_than_days`` ago; returns how many."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    stale = PersonalAccessToken.objects.filter(Q(revoked_at__lte=cutoff) | Q(expires_at__lte=cutoff))
    ids = list(stale.values_list("id", flat=True))
    deleted, _ = PersonalAccessToken.objects.filter(id__in=ids).delete()
    audit.info(
        "token.pruned", extra={"audit": {"count": deleted, "token_ids": ids, "older_than_days": older_than_days}}
    )
    return deleted


def _audit_fields(token: PersonalAccessToken, *, actor, ip: str | None) -> dict:
    return {
        "token_id": token.pk,
        "token_name": token.name,
        "owner_id": token.owner_id,
        "actor_id": getattr(actor, "pk", None),
        "ip": ip,
    }
