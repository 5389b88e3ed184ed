"""A guard around every test: no token plaintext or webhook signing secret may appear anywhere but its creation
response.

Every plaintext minted during a test (``tokens.crypto.generate_token``, ``webhooks.crypto.generate_secret``: a
webhook's creation or a rotation) is looked for, after the test
body ran and before its database transaction is rolled back, in
- every text column of every table,
- every log record emitted during the test (message and audit fields),
- every response body the test client received — where it may appear once, in the response to the
  POST that created it.
A leak fails the test that caused it.
"""

from __future__ import annotations

import logging

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import client as django_client

from tokens import crypto
from webhooks import crypto as webhook_crypto

_minted: list[str] = []
_responses: list[tuple[str, str, bytes]] = []
_log_lines: list[str] = []
stats = {"tests_scanned": 0, "plaintexts_checked": 0, "responses_scanned": 0, "log_records_scanned": 0}


class _CapturingHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        _log_lines.append(f"{record.getMessage()} {getattr(record, 'audit', '')} {record.args!r}")


def secret_part(plaintext: str) -> str:
    """40 random characters of a token (``pcms_`` + 40 + a checksum) or of a webhook secret (``whsec_`` + base64)."""
    return plaintext[6:46] if plaintext.startswith(webhook_crypto.SECRET_PREFIX) else plaintext[5:45]


def pytest_configure(config):
    original_generate = crypto.generate_token
    original_generate_secret = webhook_crypto.generate_secret
    original_request = django_client.Client.request

    def recording_generate() -> str:
        plaintext = original_generate()
        _minted.append(plaintext)
        return plaintext

    def recording_generate_secret() -> str:
        secret = original_generate_secret()
        _minted.append(secret)
        return secret

    def recording_request(self, **request):
        response = original_request(self, **request)
        content = b"" if getattr(response, "streaming", False) else response.content
        _responses.append((request.get("REQUEST_METHOD", "GET"), request.get("PATH_INFO", ""), content))
        return response

    crypto.generate_token = recording_generate
    webhook_crypto.generate_secret = recording_generate_secret
    django_client.Client.request = recording_request


_handler = _CapturingHandler(level=logging.DEBUG)


def pytest_runtest_setup(item):
    # (Re)attached per test: Django's LOGGING dictConfig replaces the root handlers when it sets up.
    root = logging.getLogger()
    if _handler not in root.handlers:
        root.addHandler(_handler)
    _minted.clear()
    _responses.clear()
    _log_lines.clear()


def find_leaks(plaintexts: list[str], responses: list[tuple[str, str, bytes]], log_lines: list[str]) -> list[str]:
    """Where the plaintexts show up in responses (beyond one creating POST) and log lines."""
    leaks: list[str] = []
    for plaintext in plaintexts:
        # Case-insensitive: the admin capitalises messages ("Pcms_…").
        secret = secret_part(plaintext).lower()
        showing = [(method, path) for method, path, body in responses if secret.encode() in body.lower()]
        if len(showing) > 1 or any(method != "POST" for method, _ in showing):
            leaks.append(f"responses {showing}")
        leaks += ["log record" for line in log_lines if secret in line.lower()]
    return leaks


def leaks_in_database(plaintexts: list[str]) -> list[str]:
    leaks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            columns = connection.introspection.get_table_description(cursor, table)
            names = ", ".join(connection.ops.quote_name(c.name) for c in columns)
            cursor.execute(f"SELECT {names} FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row).lower()
                if table == "django_session":  # session data is signed and encoded: look inside
                    text += str(SessionStore().decode(row[1])).lower()
                leaks += [f"database table {table}" for p in plaintexts if secret_part(p).lower() in text]
    return leaks


def _uses_database(item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db"} & set(getattr(item, "fixturenames", ()))
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    if not _minted:
        return result
    plaintexts = list(_minted)
    leaks = find_leaks(plaintexts, _responses, _log_lines)
    if _uses_database(item):
        leaks += leaks_in_database(plaintexts)
    stats["tests_scanned"] += 1
    stats["plaintexts_checked"] += len(plaintexts)
    stats["responses_scanned"] += len(_responses)
    stats["log_records_scanned"] += len(_log_lines)
    if leaks:
        raise AssertionError(f"secret leaked outside its creation response: {sorted(set(leaks))}")
    return result


def pytest_terminal_summary(terminalreporter):
    if stats["tests_scanned"]:
        terminalreporter.write_line(
            "secrets guard: {plaintexts_checked} token plaintexts and webhook secrets from {tests_scanned} tests "
            "checked against "
            "{responses_scanned} responses, {log_records_scanned} log records and the database: 0 leaks".format(**stats)
        )
