"""The guard itself must catch leaks, or its green light means nothing."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from tests.secrets_guard import find_leaks, leaks_in_database
from tokens import crypto


def test_guard_allows_exactly_one_creating_post():
    plaintext = crypto.generate_token()
    created = [("POST", "/api/v1/tokens", f'{{"token": "{plaintext}"}}'.encode())]
    assert find_leaks([plaintext], created, []) == []
    assert find_leaks([plaintext], [*created, ("GET", "/api/v1/tokens", plaintext.encode())], [])
    assert find_leaks([plaintext], [("GET", "/api/v1/user", plaintext.encode())], [])


def test_guard_catches_a_plaintext_in_a_log_line():
    plaintext = crypto.generate_token()
    assert find_leaks([plaintext], [], [f"oops {plaintext}"]) == ["log record"]


@pytest.mark.django_db
def test_guard_catches_a_plaintext_in_any_table(user):
    plaintext = crypto.generate_token()
    assert leaks_in_database([plaintext]) == []
    with connection.cursor() as cursor:
        cursor.execute("UPDATE auth_user SET first_name = %s WHERE id = %s", [plaintext[:30], user.pk])
        cursor.execute("UPDATE auth_user SET last_name = %s WHERE id = %s", [plaintext[5:45], user.pk])
    assert leaks_in_database([plaintext]) == ["database table auth_user"]
    # clean up so the guard around this very test does not flag the planted value
    with connection.cursor() as cursor:
        cursor.execute("UPDATE auth_user SET last_name = '' WHERE id = %s", [user.pk])


@pytest.mark.django_db
def test_guard_looks_inside_sessions():
    plaintext = crypto.generate_token()
    session = SessionStore()
    session["t"] = plaintext
    session.save()
    assert leaks_in_database([plaintext]) == ["database table django_session"]
    session.delete()
