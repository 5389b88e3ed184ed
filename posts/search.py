"""``?search=`` over posts' title, excerpt and text.

On PostgreSQL, full-text search: migration 0007 adds ``posts_post.search_vector``, a ``tsvector`` the
database computes from the three columns whenever a row is written (a stored generated column, so the
admin, the API and bulk loads all keep it right), weighted title > excerpt > text, with a GIN index. The
text is read as a web search (``websearch_to_tsquery``: words, "quoted phrases", ``or``, ``-word``)
in the ``english`` configuration (stemmed: *publishing* finds *published*). The column is not a field of
the model (other databases have no ``tsvector``): queries reach it through ``SearchVectorColumn``.

Elsewhere (SQLite in development), a case-insensitive substring match of the three columns.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import Count, Expression, Q, QuerySet, Window

from api.pagination import QuerySetRows

# The text search configuration of the column (migration 0007) and of every query against it.
CONFIG = "english"
COLUMN = "search_vector"
# The column of ranked() rows holding their number.
TOTAL = "search_total"


class SearchVectorColumn(Expression):
    """``posts_post.search_vector`` of the query's base table (whatever alias a subquery gives it)."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{table}.{connection.ops.quote_name(COLUMN)}", []


def full_text() -> bool:
    """Whether the database does full-text search (PostgreSQL); else the substring fallback."""
    return connection.vendor == "postgresql"


def _query(text: str) -> SearchQuery:
    return SearchQuery(text, config=CONFIG, search_type="websearch")


def matching(queryset: QuerySet, text: str) -> QuerySet:
    """The posts of ``queryset`` that match ``text``."""
    if not full_text():
        return queryset.filter(Q(title__icontains=text) | Q(excerpt__icontains=text) | Q(content_text__icontains=text))
    return queryset.alias(search_vector=SearchVectorColumn()).filter(search_vector=_query(text))


def ranked(queryset: QuerySet, text: str, *, window: int, then: Sequence[str]) -> QuerySet:
    """The first ``window`` posts of ``queryset`` (posts matching ``text``) in the order ``then``, most
    relevant to ``text`` first (``ts_rank``: title over excerpt over text), then in that order; each with
    ``TOTAL``, how many there are. Full-text search only.

    Ranking every match costs as much as there are matches: 0.7 s for a word in one post in eight of
    500 000 (EXPLAIN ANALYZE). The window bounds it: the database reads the newest matches down an index
    of the order until it has ``window`` of them, and ranks only those."""
    newest = queryset.order_by(*then).values("pk")[:window]
    rank = SearchRank(SearchVectorColumn(), _query(text))
    return (
        queryset.model.objects.filter(pk__in=newest)
        .alias(search_rank=rank)
        .order_by("-search_rank", *then)
        .annotate(**{TOTAL: Window(Count("pk"))})
    )


class RankedRows(QuerySetRows):
    """The rows of a ``ranked()`` queryset's ``values_list(..., TOTAL)``, without that last column, which
    counts them: so a page of them costs one query (counting the window again would read it twice)."""

    def __init__(self, queryset: QuerySet) -> None:
        super().__init__(queryset)
        self._total: int | None = None

    def fetch(self, start: int, stop: int, **cursor) -> list:
        rows = super().fetch(start, stop, **cursor)
        if rows:
            self._total = rows[0][-1]
        return [row[:-1] for row in rows]

    def count(self, limit: int) -> int:
        return super().count(limit) if self._total is None else min(self._total, limit)
