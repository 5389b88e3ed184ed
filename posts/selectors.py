"""Reads of the API's hottest requests (a post by id or slug, the list without filters) as prepared
statements (``api.statements``): built and compiled once per shape, then run with each request's values;
and the list validator, what list ETags are made of.

A shape is what changes the SQL: which posts the caller sees (``visibility()``), the columns, how the post
is named, the page window, whether a cursor is followed. Its values change with every request: the time
(a scheduled post becomes visible when it passes), the caller's id, the post's id or slug, the cursor's,
the words searched for.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

from django.core.cache import cache
from django.db import connection, connections
from django.db.models import Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from api import statements
from api.cursors import OrderingKey, keyset_filter
from api.pagination import Rows
from posts import search
from posts.filters import DEFAULT_ORDERING
from posts.models import Post, live_q

logger = logging.getLogger("polycms.posts")

# What visibility() answers: the three sets of posts a caller can see.
LIVE, OWN, ALL = "live", "own", "all"

# Values no request sends, compiled where each request's own go.
_NOW = datetime.datetime(1971, 1, 1, 0, 0, 0, 424242, tzinfo=datetime.UTC)
_USER_ID = 2**62 - 1
_LOOKUP = {"pk": 2**62 - 2, "slug": "\x01stand-in slug\x01"}
_TEXT = "\x01stand-in search\x01"


def visibility(user) -> str:
    """Which posts ``Post.objects.visible_to(user)`` shows: ``ALL``, ``OWN`` (live ones and the caller's)
    or ``LIVE``. ``tests/posts/test_selectors.py`` checks the two agree."""
    if not user.is_authenticated:
        return LIVE
    return ALL if user.has_perm("posts.view_post") else OWN


def _visible(kind: str, now: datetime.datetime, user_id: int) -> QuerySet:
    if kind == LIVE:
        return Post.objects.filter(live_q(now))
    if kind == OWN:
        return Post.objects.filter(live_q(now) | Q(author_id=user_id))
    return Post.objects.all()


# The list validator's column in list rows (``with_list_validator()``).
LIST_VALIDATOR = "list_validator"


def _validator_sql() -> str:
    """SQL of the list validator, one text value: the change counter (migration 0007: raised by every write of
    a post or of an author's names, in the writing transaction) and the publication time of the latest post
    live at the time given (a parameter): what a list shows changes only when one of them does. Read from
    one row of ``posts_changes``, so it has a value even without posts."""
    quote = connection.ops.quote_name
    table, status, published_at = (
        quote(name)
        for name in (
            Post._meta.db_table,
            Post._meta.get_field("status").column,
            Post._meta.get_field("published_at").column,
        )
    )
    return (
        f"SELECT CAST(counter AS text) || ' ' || COALESCE((SELECT CAST(p.{published_at} AS text) FROM {table} p "  # noqa: S608
        f"WHERE p.{status} = %s AND p.{published_at} <= %s ORDER BY p.{published_at} DESC LIMIT 1), '') "
        "FROM posts_changes WHERE id = 1"
    )


def _validator_params(now: datetime.datetime) -> list:
    return [Post.Status.PUBLISHED.value, connection.ops.adapt_datetimefield_value(now)]


def with_list_validator(queryset: QuerySet, now: datetime.datetime) -> QuerySet:
    """``queryset`` with the list validator at ``now`` as its ``LIST_VALIDATOR`` column: read in the same
    statement, so from the same snapshot, as the rows."""
    validator = RawSQL(_validator_sql(), _validator_params(now), TextField())  # noqa: S611 (no input in the SQL)
    return queryset.annotate(**{LIST_VALIDATOR: validator})


@functools.lru_cache(maxsize=4)
def _validator_statement(alias: str) -> statements.Statement:
    sql = f"SELECT ({_validator_sql()})"
    adapt = connections[alias].ops.adapt_datetimefield_value
    return statements.Statement(alias, sql, tuple(_validator_params(_NOW)), ((1, "now", adapt),))


def list_validator(now: datetime.datetime) -> str:
    """The list validator at ``now`` (see ``_validator_sql``), on its own. One query."""
    ((validator,),) = _validator_statement(connection.alias).rows(now=now)
    return validator


def _stand_ins(kind: str) -> dict[str, Any]:
    return {LIVE: {"now": _NOW}, OWN: {"now": _NOW, "user_id": _USER_ID}, ALL: {}}[kind]


@functools.lru_cache(maxsize=256)
def _item_statement(alias: str, kind: str, lookup: str, columns: tuple[str, ...]) -> statements.Statement:
    queryset = _visible(kind, _NOW, _USER_ID).filter(**{lookup: _LOOKUP[lookup]}).values_list(*columns)[:2]
    return statements.prepare(queryset, alias, **_stand_ins(kind), value=_LOOKUP[lookup])


def visible_post_row(user, lookup: dict[str, Any], columns: Sequence[str]) -> tuple | None:
    """The ``columns`` of the post ``lookup`` (``{"pk": 12}`` or ``{"slug": "hello"}``) names, if ``user``
    may see it; else None. One query."""
    ((name, value),) = lookup.items()
    kind = visibility(user)
    statement = _item_statement(connection.alias, kind, name, tuple(columns))
    rows = statement.rows(now=timezone.now(), user_id=user.pk, value=value)
    return rows[0] if rows else None


def _cache_call(method: Callable, *args: Any) -> Any:
    """``method(*args)`` on Django's cache; None when the cache fails: a count is then counted, not refused."""
    try:
        return method(*args)
    except Exception as exc:  # any cache client failure
        logger.warning("post count cache unavailable (%s): counting", type(exc).__name__)
        return None


def _key_stand_in(key: OrderingKey, position: int) -> Any:
    field = Post._meta.get_field(key.name)
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return _NOW + datetime.timedelta(days=position + 1)
    if kind in {"AutoField", "BigAutoField", "IntegerField", "BigIntegerField", "PositiveIntegerField"}:
        return _USER_ID - 10 - position
    if kind in {"CharField", "TextField"}:
        return f"\x01stand-in key {position}\x01"
    raise ValueError(f"No stand-in for a cursor key of type {kind}")


@functools.lru_cache(maxsize=256)
def _page_statement(
    alias: str,
    kind: str,
    columns: tuple[str, ...],
    start: int,
    stop: int,
    keys: tuple[OrderingKey, ...] | None,
    null_after: tuple[bool, ...] | None,
) -> statements.Statement:
    queryset = with_list_validator(_visible(kind, _NOW, _USER_ID), _NOW)
    stand_ins = _stand_ins(kind) | ({"now": _NOW} if LIST_VALIDATOR in columns else {})
    if keys is None:
        queryset = queryset.order_by(*DEFAULT_ORDERING)
    else:
        queryset = queryset.order_by(*(key.order_by_expression() for key in keys))
        if null_after is not None:
            pairs = enumerate(zip(keys, null_after, strict=True))
            after = [None if null else _key_stand_in(key, i) for i, (key, null) in pairs]
            queryset = queryset.filter(keyset_filter(keys, after))
            stand_ins |= {f"after_{i}": value for i, value in enumerate(after) if value is not None}
    return statements.prepare(queryset.values_list(*columns)[start:stop], alias, **stand_ins)


@functools.lru_cache(maxsize=16)
def _count_statement(alias: str, kind: str, limit: int) -> statements.Statement:
    queryset = _visible(kind, _NOW, _USER_ID).order_by().values("pk")[:limit]
    return statements.prepare(queryset, alias, **_stand_ins(kind)).count()


# How long a count is kept (seconds): it is right as long as its list validator is current, and is not read again
# once a write or a scheduled post changes that.
COUNT_KEPT = 600


class VisiblePostRows(Rows):
    """The posts ``user`` may see at ``now``, newest first (``DEFAULT_ORDERING``): the list without filters,
    as rows of ``values_list(*columns)``, where ``columns`` may name ``LIST_VALIDATOR`` (a cursor page adds
    the cursor keys' columns at the end).

    With the validator among the columns, the count is kept in Django's cache under it: how many posts a caller
    sees changes only when the validator does, so a kept count is never stale, and counting (up to 10 000 rows
    of an index, the costliest part of a list for the database) happens once per change, not per request."""

    model = Post
    ordering = DEFAULT_ORDERING

    def __init__(self, user, columns: Sequence[str], now: datetime.datetime) -> None:
        self.kind = visibility(user)
        self.values: dict[str, Any] = {"now": now, "user_id": user.pk}
        self.columns = tuple(columns)
        self._validator: str | None = None

    def fetch(self, start: int, stop: int, *, keys: Sequence[OrderingKey] | None = None, after=None) -> list:
        columns = self.columns
        if keys is not None:
            columns += tuple(key.name for key in keys if key.name not in columns)
            self._key_indexes = [columns.index(key.name) for key in keys]
        null_after = None if after is None else tuple(value is None for value in after)
        statement = _page_statement(
            connection.alias, self.kind, columns, start, stop, None if keys is None else tuple(keys), null_after
        )
        values = dict(self.values)
        if after is not None:
            values |= {f"after_{i}": value for i, value in enumerate(after)}
        rows = statement.rows(**values)
        if rows and LIST_VALIDATOR in columns:
            self._validator = rows[0][columns.index(LIST_VALIDATOR)]
        return rows

    def count(self, limit: int) -> int:
        key = None
        if self._validator is not None:
            who = self.values["user_id"] if self.kind == OWN else ""
            made_of = f"{self.kind}:{who}:{limit}:{self._validator}"
            key = f"posts:count:{hashlib.blake2b(made_of.encode(), digest_size=16).hexdigest()}"
            kept = _cache_call(cache.get, key)
            if kept is not None:
                return kept
        ((counted,),) = _count_statement(connection.alias, self.kind, limit).rows(**self.values)
        if key is not None:
            _cache_call(cache.set, key, counted, COUNT_KEPT)
        return counted

    def key_values(self, row, keys: Sequence[OrderingKey]) -> list:
        return [row[index] for index in self._key_indexes]


@functools.lru_cache(maxsize=64)
def _search_statement(
    alias: str, kind: str, columns: tuple[str, ...], window: int, start: int, stop: int
) -> statements.Statement:
    matches = search.matching(_visible(kind, _NOW, _USER_ID), _TEXT)
    queryset = with_list_validator(search.ranked(matches, _TEXT, window=window, then=DEFAULT_ORDERING), _NOW)
    stand_ins = _stand_ins(kind) | {"text": _TEXT} | ({"now": _NOW} if LIST_VALIDATOR in columns else {})
    page = queryset.values_list(*columns, search.TOTAL)[start:stop]
    return statements.prepare(page, alias, **stand_ins).planned_per_run()  # a common word or a rare one


@functools.lru_cache(maxsize=16)
def _search_count_statement(alias: str, kind: str, window: int) -> statements.Statement:
    matches = search.matching(_visible(kind, _NOW, _USER_ID), _TEXT).order_by(*DEFAULT_ORDERING)
    window_ids = statements.prepare(matches.values("pk")[:window], alias, **_stand_ins(kind), text=_TEXT)
    return window_ids.planned_per_run().count()


class RankedPostRows(Rows):
    """The posts ``user`` may see at ``now`` that match ``text`` (full-text search): the ``window`` newest,
    most relevant first (``search.ranked``), as rows of ``values_list(*columns)``, counted in the same query.
    Page numbers only: a rank is not a cursor's key."""

    model = Post

    def __init__(self, user, columns: Sequence[str], now: datetime.datetime, text: str, window: int) -> None:
        self.kind = visibility(user)
        self.values: dict[str, Any] = {"now": now, "user_id": user.pk, "text": text}
        self.columns = tuple(columns)
        self.window = window
        self._total: int | None = None

    @property
    def ordering(self) -> Sequence[str]:
        raise ValueError("Ranked search results follow no field ordering: a cursor cannot walk them.")

    def fetch(self, start: int, stop: int, *, keys: Sequence[OrderingKey] | None = None, after=None) -> list:
        statement = _search_statement(connection.alias, self.kind, self.columns, self.window, start, stop)
        rows = statement.rows(**self.values)
        if rows:
            self._total = rows[0][-1]
        return [row[:-1] for row in rows]

    def count(self, limit: int) -> int:
        if self._total is None:
            ((self._total,),) = _search_count_statement(connection.alias, self.kind, self.window).rows(**self.values)
        return min(self._total, limit)
