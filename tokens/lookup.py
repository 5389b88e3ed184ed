"""One query for a bearer request: the token, its owner, and the owner's roles and permissions.

Resolving a token is the hot path of every integration's request. The ORM would take three queries
(token + owner, permissions, roles) and spends as much time building them as the database spends
answering; this module sends one precompiled statement, built once per database vendor from the
models' own table and column names, and primes the owner's permission and role caches with its
answer, so ``user.has_perm()`` and ``roles_of(user)`` cost nothing more in that request.
"""

from __future__ import annotations

import functools
import json
from datetime import UTC

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db.models import Field
from django.utils import timezone

from polycms.backends import prime_caches
from tokens.models import PersonalAccessToken

# Token fields the request needs (the hint, IP and revoker stay deferred), in model field order as
# Model.from_db() expects.
TOKEN_FIELDS = [
    f
    for f in PersonalAccessToken._meta.concrete_fields
    if f.name in {"id", "owner", "name", "abilities", "digest", "expires_at", "last_used_at", "revoked_at"}
]


def _aggregate(vendor: str, expression: str, source: str) -> str:
    """A subquery returning every ``expression`` of ``source`` as one array value."""
    if vendor == "postgresql":
        return f"ARRAY(SELECT {expression} {source})"
    return f"(SELECT json_group_array({expression}) {source})"  # SQLite's JSON1


@functools.cache
def _statement(vendor: str, candidates: int) -> tuple[str, list[Field], list[Field]]:
    user_model = get_user_model()
    q = connection.ops.quote_name
    user_fields = list(user_model._meta.concrete_fields)
    memberships = user_model.groups.through._meta
    direct = user_model.user_permissions.through._meta
    granted = Group.permissions.through._meta

    def column(meta, field: str) -> str:
        return q(meta.get_field(field).column)

    user_table, member_table = q(user_model._meta.db_table), q(memberships.db_table)
    member_user = column(memberships, _fk_name(memberships, user_model))
    member_group = column(memberships, _fk_name(memberships, Group))
    roles = _aggregate(
        vendor,
        f"g.{q('name')}",
        f"FROM {member_table} m JOIN {q(Group._meta.db_table)} g ON g.{q('id')} = m.{member_group} "
        f"WHERE m.{member_user} = u.{q('id')}",
    )
    own = (
        f"SELECT d.{column(direct, _fk_name(direct, Permission))} FROM {q(direct.db_table)} d "
        f"WHERE d.{column(direct, _fk_name(direct, user_model))} = u.{q('id')}"
    )
    via_groups = (
        f"SELECT gp.{column(granted, _fk_name(granted, Permission))} FROM {q(granted.db_table)} gp "
        f"JOIN {member_table} m2 ON m2.{member_group} = gp.{column(granted, _fk_name(granted, Group))} "
        f"WHERE m2.{member_user} = u.{q('id')}"
    )
    permissions = _aggregate(
        vendor,
        f"ct.{q('app_label')} || '.' || p.{q('codename')}",
        f"FROM {q(Permission._meta.db_table)} p JOIN {q(ContentType._meta.db_table)} ct "
        f"ON ct.{q('id')} = p.{q('content_type_id')} "
        f"WHERE u.{q('is_superuser')} OR p.{q('id')} IN ({own}) OR p.{q('id')} IN ({via_groups})",
    )
    placeholders = ", ".join(["%s"] * candidates)
    sql = (
        f"SELECT {', '.join(f't.{q(f.column)}' for f in TOKEN_FIELDS)}, "
        f"{', '.join(f'u.{q(f.column)}' for f in user_fields)}, {roles}, {permissions} "
        f"FROM {q(PersonalAccessToken._meta.db_table)} t JOIN {user_table} u "
        f"ON u.{q('id')} = t.{q(PersonalAccessToken._meta.get_field('owner').column)} "
        f"WHERE t.{q('digest')} IN ({placeholders})"
    )
    return sql, TOKEN_FIELDS, user_fields


def _fk_name(through_meta, target) -> str:
    """The name of the through model's foreign key to ``target``."""
    return next(f.name for f in through_meta.fields if getattr(f, "related_model", None) is target)


def _as_list(value) -> list[str]:
    return json.loads(value) if isinstance(value, str) else list(value or [])


def _python_values(fields: list[Field], values: tuple) -> list:
    """What the ORM's converters would make of raw values: SQLite returns naive datetimes and 0/1,
    and both backends hand JSON over as text."""
    converted = []
    for field, value in zip(fields, values, strict=True):
        if value is not None:
            if isinstance(field, models.DateTimeField) and timezone.is_naive(value):
                value = timezone.make_aware(value, UTC)
            elif isinstance(field, models.BooleanField):
                value = bool(value)
            elif isinstance(field, models.JSONField) and isinstance(value, str):
                value = json.loads(value)
        converted.append(value)
    return converted


def _instance(model, fields: list[Field], values: tuple):
    return model.from_db(connection.alias, [f.attname for f in fields], _python_values(fields, values))


def token_by_digests(digests: list[str]) -> PersonalAccessToken | None:
    """The token whose digest is one of ``digests``, with ``token.owner`` loaded and its permission and
    role caches primed; None if there is none. One query."""
    sql, token_fields, user_fields = _statement(connection.vendor, len(digests))
    with connection.cursor() as cursor:
        cursor.execute(sql, digests)
        row = cursor.fetchone()
    if row is None:
        return None
    split = len(token_fields)
    user_end = split + len(user_fields)
    token = _instance(PersonalAccessToken, token_fields, row[:split])
    owner = _instance(get_user_model(), user_fields, row[split:user_end])
    prime_caches(owner, roles=_as_list(row[user_end]), permissions=_as_list(row[user_end + 1]))
    token.owner = owner
    return token
