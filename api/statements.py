"""Querysets compiled once and replayed with other values.

Building a queryset (resolving names to columns and joins) and compiling it to SQL costs the ORM several
times what the database spends answering a small indexed query: about 0.35 ms of the 0.5 ms a post lookup
took, profiled. The hottest reads are a few fixed shapes whose values change from request to request (the
time, the caller's id, a post's id): ``prepare()`` builds and compiles a shape once, with stand-in values
it then finds among the query's parameters, and ``Statement.rows()`` runs the SQL with a request's values,
converting the columns as the ORM would. ``tokens/lookup.py`` does the same for the bearer token lookup.

On PostgreSQL a statement is also prepared by the database (psycopg's, once per connection): planning these
small queries cost it about twice what executing them does (EXPLAIN ANALYZE on the bench data). Behind a
connection pooler in transaction mode, that needs its support for prepared statements (PgBouncer 1.21+
with ``max_prepared_statements``). Not a statement whose best plan depends on its values
(``planned_per_run()``): after five runs PostgreSQL may settle on a generic plan, made without them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import QuerySet


@dataclass(frozen=True)
class Statement:
    """SQL and parameters of a compiled queryset; ``slots`` say where each named value goes in the
    parameters (and how the database wants it), ``converters`` how to read each column that needs it."""

    using: str
    sql: str
    params: tuple
    slots: tuple[tuple[int, str, Callable[[Any], Any]], ...]
    converters: tuple[tuple[int, list[Callable], Any], ...] = ()
    plan_per_run: bool = False

    def rows(self, **values: Any) -> list[tuple]:
        """The rows of the statement run with ``values`` (every stand-in's name) in place of the stand-ins."""
        params = list(self.params)
        for position, name, adapt in self.slots:
            params[position] = adapt(values[name])
        connection = connections[self.using]
        with connection.cursor() if self.plan_per_run else preparing_cursor(connection) as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if not self.converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for column, converters, expression in self.converters:
                for converter in converters:
                    row[column] = converter(row[column], expression, connection)
            converted.append(tuple(row))
        return converted

    def count(self) -> Statement:
        """A statement counting the rows this one returns (its own ``LIMIT`` included), with the same values."""
        sql = f"SELECT COUNT(*) FROM ({self.sql}) counted"  # noqa: S608 (compiled by the ORM, values are parameters)
        return Statement(self.using, sql, self.params, self.slots, plan_per_run=self.plan_per_run)

    def planned_per_run(self) -> Statement:
        """This statement, planned by the database for each run's values, not prepared: for one whose best plan
        depends on them. A search of a rare word wants the GIN index, of a common one an index of the order;
        the generic plan PostgreSQL settled on for a prepared search read every match of a common word, 0.3 s
        a request at 500k posts instead of a few milliseconds."""
        return dataclasses.replace(self, plan_per_run=True)


def prepare(queryset: QuerySet, using: str, **stand_ins: Any) -> Statement:
    """``queryset`` compiled for database ``using``; it was built with ``stand_ins`` (name -> a value no
    request sends: a datetime of 1971, an integer near 2**62, a string of control characters) where each
    request's own values go. ``ValueError`` when a stand-in is not among the parameters (the ORM folded it
    into the SQL), as the statement could not take that value from a request."""
    compiler = queryset.query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    connection = connections[using]
    slots = []
    for name, stand_in in stand_ins.items():
        for adapt in _adapters(stand_in, connection):
            wanted = adapt(stand_in)
            positions = [i for i, param in enumerate(params) if type(param) is type(wanted) and param == wanted]
            if positions:
                slots += [(position, name, adapt) for position in positions]
                break
        else:
            raise ValueError(f"The stand-in for {name!r} is not a parameter of {sql}")
    converters = compiler.get_converters([expression for expression, _, _ in compiler.select])
    return Statement(
        using=using,
        sql=sql,
        params=tuple(params),
        slots=tuple(slots),
        converters=tuple((column, functions, expression) for column, (functions, expression) in converters.items()),
    )


def _adapters(stand_in: Any, connection) -> list[Callable[[Any], Any]]:
    """How the ORM may have passed a value like ``stand_in`` to the database: as it is, or (a date-time on
    SQLite) adapted to the database's form."""
    adapters: list[Callable[[Any], Any]] = [_as_is]
    if isinstance(stand_in, datetime.datetime):
        adapters.append(connection.ops.adapt_datetimefield_value)
    return adapters


def _as_is(value: Any) -> Any:
    return value


# psycopg's prepare_threshold while a prepared statement runs: no query is run that many times.
EXPLICIT_PREPARATION_ONLY = 2**62


@contextlib.contextmanager
def preparing_cursor(connection, *, log_values: bool = True) -> Iterator[Any]:
    """``connection.cursor()``, but on PostgreSQL over a server-side binding psycopg cursor that prepares what
    it executes. Everything else is Django's own: the health check, the connection, database error wrapping,
    query logging (with the values, unless ``log_values`` is False) and execute wrappers."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = connection._prepare_cursor(_preparing_cursor_class(log_values)(connection.connection))
    with cursor:
        yield cursor


@functools.cache
def _preparing_cursor_class(log_values: bool) -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            # Django turns psycopg's automatic preparation off (prepare_threshold None, for connection poolers),
            # and with it any preparation. A threshold no query reaches lets this one in, and only while it
            # runs: with a threshold set, psycopg also counts every other query, keeping the last hundred
            # distinct ones, and a client-side binding INSERT holds its values (a 1 MB document is 1 MB kept).
            raw = self._conn
            threshold, raw.prepare_threshold = raw.prepare_threshold, EXPLICIT_PREPARATION_ONLY
            try:
                super().execute(query, params, prepare=True, binary=binary)
            finally:
                raw.prepare_threshold = threshold
            if not log_values:
                self._query = _LoggedQuery(query.encode() if isinstance(query, str) else query)
            return self

        def _convert_query(self, query, params=None):
            # psycopg records the query (which Django's query logging and captured_queries read) only when it
            # does not run a prepared statement: record it always.
            self._query = super()._convert_query(query, params)
            return self._query

    return PreparingCursor


@dataclass(frozen=True)
class _LoggedQuery:
    """What Django's query log reads of a cursor's last query (``_query.query``): here, without its values."""

    query: bytes
