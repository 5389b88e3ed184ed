"""One query for a bearer request: the token, its owner, and the owner's roles and permissions.

Resolving a token is the hot path of every integration's request. The query is an ordinary queryset:
the token's and owner's columns, plus the owner's group names and permission strings aggregated by
correlated subqueries, so the ORM takes every table and column name from the models. Compiling it
costs several times what the database spends answering, so it is compiled once per database and
number of candidate digests and then replayed with each request's digests; its columns go through the
converters the ORM itself would apply. On PostgreSQL it is also a prepared statement (psycopg's, once
per connection): planning it cost the database about three times what executing it does. Reading only:
re-keying a token found under a fallback ``SECRET_KEY`` is ``services.token_rekey``.

Behind a connection pooler in transaction mode, prepared statements need its support for them
(PgBouncer 1.21+ with ``max_prepared_statements``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.postgres.expressions import ArraySubquery
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Aggregate, Expression, F, JSONField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat
from django.db.models.lookups import Exact

from api.statements import preparing_cursor
from polycms.backends import prime_caches
from tokens.models import PersonalAccessToken

# The token fields a request needs (the hint, IP and revoker stay deferred), in model field order as
# Model.from_db() expects.
TOKEN_FIELDS = [
    f
    for f in PersonalAccessToken._meta.concrete_fields
    if f.name in {"id", "owner", "name", "abilities", "digest", "expires_at", "last_used_at", "revoked_at"}
]


class JSONGroupArray(Aggregate):
    """SQLite's (JSON1) aggregate of values into one JSON array, read back as a list."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()


def _as_list(rows: QuerySet, value: Expression, vendor: str) -> Subquery:
    """``value`` over ``rows`` (the outer token's owner's rows) as one list value, [] when there are none.

    PostgreSQL: ``ARRAY(subquery)``, contrib.postgres's ``ArraySubquery``. SQLite: JSON1's
    ``json_group_array`` inside the subquery, with the rows grouped by the outer owner, a single group,
    as Django's docs group an aggregate inside a subquery.
    """
    if vendor == "postgresql":
        return ArraySubquery(rows.order_by().values(item=value))
    grouped = rows.annotate(for_owner=OuterRef("owner")).order_by().values("for_owner")
    return Subquery(grouped.annotate(items=JSONGroupArray(value)).values("items"))


def lookup_queryset(digests: list[str], using: str) -> QuerySet:
    """The row of the token whose digest is one of ``digests``: the ``TOKEN_FIELDS``, the owner's concrete
    fields, the owner's role (group) names and the owner's permissions as ``"app_label.codename"``
    (every permission for a superuser), in that order."""
    vendor = connections[using].vendor
    user_model = get_user_model()
    groups = user_model._meta.get_field("groups")
    user_permissions = user_model._meta.get_field("user_permissions")
    group_permissions = Group._meta.get_field("permissions")
    owner = OuterRef("owner")  # seen from a subquery of the token query; one OuterRef more per level below
    # The owner's rows of the three many-to-many tables, named from the relations' own metadata.
    own = user_permissions.remote_field.through.objects.filter(**{user_permissions.m2m_field_name(): OuterRef(owner)})
    memberships = groups.remote_field.through.objects.filter(**{groups.m2m_field_name(): OuterRef(OuterRef(owner))})
    via_groups = group_permissions.remote_field.through.objects.filter(
        **{f"{group_permissions.m2m_field_name()}__in": memberships.values(groups.m2m_reverse_field_name())}
    )
    roles = Group.objects.filter(**{groups.related_query_name(): owner})
    permissions = Permission.objects.filter(  # superuser first: then PostgreSQL skips the other two
        Q(Exact(OuterRef("owner__is_superuser"), True))
        | Q(pk__in=own.values(user_permissions.m2m_reverse_field_name()))
        | Q(pk__in=via_groups.values(group_permissions.m2m_reverse_field_name()))
    )
    permission_name = Concat(F("content_type__app_label"), Value("."), F("codename"))
    return (
        PersonalAccessToken.objects.using(using)
        .filter(digest__in=digests)
        .order_by()
        .annotate(
            owner_roles=_as_list(roles, F("name"), vendor),
            owner_permissions=_as_list(permissions, permission_name, vendor),
        )
        .values_list(
            *(f.attname for f in TOKEN_FIELDS),
            *(f"owner__{f.attname}" for f in user_model._meta.concrete_fields),
            "owner_roles",
            "owner_permissions",
        )
    )


@dataclass(frozen=True)
class _Statement:
    """``lookup_queryset`` compiled for one database and a number of digests."""

    sql: str
    params: tuple
    digest_positions: tuple[int, ...]  # where each digest goes in ``params``
    # The ORM's converters for each column that has any: (column, converters, the column's expression).
    converters: tuple[tuple[int, list[Callable], Any], ...]
    token_fields: list[str]  # attnames of the token's columns, then of the owner's
    owner_fields: list[str]
    owner_model: type  # the user model (get_user_model() looks it up in the app registry at each call)

    def bind(self, digests: list[str]) -> list:
        params = list(self.params)
        for position, digest in zip(self.digest_positions, digests, strict=True):
            params[position] = digest
        return params

    def convert(self, row: tuple, connection) -> list:
        values = list(row)
        for column, converters, expression in self.converters:
            for converter in converters:
                values[column] = converter(values[column], expression, connection)
        return values


@functools.cache
def _statement(alias: str, candidates: int) -> _Statement:
    # Compiled with stand-ins for the digests, found again by value among the parameters. Converters
    # depend on the database's settings, not on a connection's state, so one list serves every thread.
    stand_ins = [f"<digest {i}>" for i in range(candidates)]
    compiler = lookup_queryset(stand_ins, using=alias).query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    converters = compiler.get_converters([expression for expression, _, _ in compiler.select])
    return _Statement(
        sql=sql,
        params=tuple(params),
        digest_positions=tuple(params.index(stand_in) for stand_in in stand_ins),
        converters=tuple((column, functions, expression) for column, (functions, expression) in converters.items()),
        token_fields=[f.attname for f in TOKEN_FIELDS],
        owner_fields=[f.attname for f in get_user_model()._meta.concrete_fields],
        owner_model=get_user_model(),
    )


def token_by_digests(digests: list[str]) -> PersonalAccessToken | None:
    """The token whose digest is one of ``digests``, with ``token.owner`` loaded and its roles and
    permissions primed (``polycms.backends.prime_caches``); None if there is none. One query, no write."""
    database = connections[DEFAULT_DB_ALIAS]  # the connection itself: each use of the proxy looks it up again
    statement = _statement(database.alias, len(digests))
    # Logged without the digests: the statement alone.
    with preparing_cursor(database, log_values=False) as cursor:
        cursor.execute(statement.sql, statement.bind(digests))
        row = cursor.fetchone()
    if row is None:
        return None
    values = statement.convert(row, database)
    owner_start = len(statement.token_fields)
    owner_end = owner_start + len(statement.owner_fields)
    token = PersonalAccessToken.from_db(database.alias, statement.token_fields, values[:owner_start])
    token.owner = statement.owner_model.from_db(database.alias, statement.owner_fields, values[owner_start:owner_end])
    roles, permissions = values[owner_end:]
    prime_caches(token.owner, roles=roles, permissions=permissions)
    return token
