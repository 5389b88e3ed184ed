"""``polycms.db.postgresql``: the health check of a reused connection costs no round trip, and still
catches a session the server has ended."""

from __future__ import annotations

import select
import time

import psycopg
import pytest
from django.db import connection

from tests.conftest import postgres_only

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def _server_connection() -> psycopg.Connection:
    """A second, plain connection to the test database, to watch and end the first one's session."""
    return psycopg.connect(**connection.get_connection_params(), autocommit=True)


def _last_statement_of(pid: int) -> str:
    with _server_connection() as watcher:
        return watcher.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()[0]


def _wait_until_readable(raw, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not select.select([raw.fileno()], [], [], 0.05)[0]:
        assert time.monotonic() < deadline, "the server never closed the terminated session"


def test_the_engine_is_the_projects():
    assert connection.settings_dict["ENGINE"] == "polycms.db.postgresql"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_healthy_idle_connection_is_usable_and_the_check_sends_nothing():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'the last statement before the check'")
    pid = connection.connection.info.backend_pid

    assert connection.is_usable()

    # The server saw no statement from the check (Django's own check would show as "SELECT 1").
    assert _last_statement_of(pid) == "SELECT 'the last statement before the check'"


def test_a_session_the_server_ended_is_unusable_and_replaced_on_the_next_health_check():
    connection.ensure_connection()
    raw = connection.connection
    with _server_connection() as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [raw.info.backend_pid]).fetchone()[0]
    _wait_until_readable(raw)

    assert not connection.is_usable()

    connection.health_check_done = False  # as at the start of a request (close_old_connections)
    connection.close_if_health_check_failed()
    with connection.cursor() as cursor:  # a new session, not a "terminating connection" error
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert connection.connection is not raw


def test_a_connection_inside_a_failed_transaction_is_unusable():
    connection.ensure_connection()
    raw = connection.connection
    raw.autocommit = False
    try:
        with pytest.raises(psycopg.errors.DivisionByZero):
            raw.execute("SELECT 1 / 0")
        assert not connection.is_usable()
    finally:
        raw.rollback()
        raw.autocommit = True
    assert connection.is_usable()


def test_a_connection_inside_a_healthy_transaction_is_usable():
    connection.ensure_connection()
    raw = connection.connection
    raw.autocommit = False
    try:
        raw.execute("SELECT 1")  # the transaction is open (INTRANS), as Django's SELECT 1 would find it usable
        assert connection.is_usable()
    finally:
        raw.rollback()
        raw.autocommit = True
