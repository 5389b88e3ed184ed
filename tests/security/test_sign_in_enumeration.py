"""Attack: learn which email belongs to an account by locking the account (failures on its username)
and then probing emails: a locked account's email answered 429, any other email 401. Defence: locks are
keyed by the identifier as typed, and a locked *account* fails like a wrong password; a locked and an
unknown identifier look the same from outside: status, body, and the work done (queries and hashes)."""

from http import HTTPStatus

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.accounts.test_views import PASSWORD, browser, fetch_csrf, sign_in, sign_in_fails

# A stopped clock: the rate windows these tests fill cannot roll over mid-test (tests/windows.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


class CountingHasher(MD5PasswordHasher):
    algorithm = "counting_md5"
    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


@pytest.fixture
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    CountingHasher.calls = 0
    return CountingHasher


def answer(response) -> tuple[int, dict, str | None]:
    return response.status_code, response.json(), response.get("Retry-After")


def test_a_locked_accounts_email_answers_like_an_unknown_email(user):
    client = browser()
    csrf = fetch_csrf(client)
    for _ in range(5):
        sign_in_fails(client, csrf, username="alice")
    assert sign_in(client, csrf, username="alice").status_code == HTTPStatus.TOO_MANY_REQUESTS

    owned = sign_in(client, csrf, email="alice@example.com", password="a guess")
    unknown = sign_in(client, csrf, email="nobody@example.com", password="a guess")
    assert answer(owned) == answer(unknown)
    assert owned.status_code == HTTPStatus.UNAUTHORIZED


def test_locked_known_and_unknown_identifiers_answer_alike(user):
    client = browser()
    csrf = fetch_csrf(client)
    for identifier in ["alice@example.com", "nobody@example.com"]:
        for _ in range(5):
            sign_in_fails(client, csrf, email=identifier)
    owned = sign_in(client, csrf, email="alice@example.com")
    unknown = sign_in(client, csrf, email="nobody@example.com")
    assert owned.status_code == unknown.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert owned.json() == unknown.json()


def test_the_right_password_does_not_open_a_locked_account_through_its_email(user):
    client = browser()
    csrf = fetch_csrf(client)
    for _ in range(5):
        sign_in_fails(client, csrf, username="alice")
    response = sign_in(client, csrf, email="alice@example.com")
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert client.get("/api/v1/user").status_code == HTTPStatus.UNAUTHORIZED


def work_done(client, csrf, counting_hasher, **credentials) -> tuple[int, int]:
    counting_hasher.calls = 0
    with CaptureQueriesContext(connection) as queries:
        sign_in(client, csrf, password="a guess", **credentials)
    return len(queries), counting_hasher.calls


@pytest.mark.parametrize(
    ("lock_with", "probe_locked", "probe_unknown"),
    [
        ({"username": "alice"}, {"email": "alice@example.com"}, {"email": "nobody@example.com"}),
        ({"email": "alice@example.com"}, {"username": "alice"}, {"username": "nobody"}),
    ],
)
def test_locked_and_unknown_accounts_cost_the_same_work(user, counting_hasher, lock_with, probe_locked, probe_unknown):
    user.set_password(PASSWORD)  # rehash with the counting hasher
    user.save()
    client = browser()
    csrf = fetch_csrf(client)
    for _ in range(5):
        sign_in_fails(client, csrf, **lock_with)
    locked = work_done(client, csrf, counting_hasher, **probe_locked)
    unknown = work_done(client, csrf, counting_hasher, **probe_unknown)
    assert locked == unknown
    assert locked[1] == 1  # one password hash, like a wrong password
