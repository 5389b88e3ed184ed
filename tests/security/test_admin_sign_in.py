"""Attack: guess a staff password on ``/admin/login/`` without limit (the admin session also works on
``/api/v1``). Defence: the admin login checks passwords through ``accounts.services``, sharing the API sign-in's
failure counters and audit lines; a locked sign-in is a 429 page, and the right password does not get in."""

import logging
from http import HTTPStatus

import pytest
from django.test import Client

from tests.accounts.test_views import PASSWORD, browser, fetch_csrf, sign_in_fails

# A stopped clock: the rate windows these tests fill cannot roll over mid-test (tests/windows.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

LOGIN = "/admin/login/?next=/admin/"


def admin_sign_in(client: Client, username: str, password: str, **meta):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, **meta)


@pytest.fixture
def staff(make_user):
    return make_user("stella", is_staff=True)


def test_repeated_wrong_passwords_lock_the_admin_sign_in_and_the_right_one_stays_out(staff):
    client = Client()
    statuses = [admin_sign_in(client, "stella", "wrong").status_code for _ in range(30)]
    assert statuses[:5] == [HTTPStatus.OK] * 5  # the form again, with Django's error
    assert set(statuses[5:]) == {HTTPStatus.TOO_MANY_REQUESTS}
    locked = admin_sign_in(client, "stella", PASSWORD)
    assert locked.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == HTTPStatus.FOUND  # still sent to the login page


def test_locked_admin_sign_in_page_says_when_to_retry(staff):
    client = Client()
    for _ in range(5):
        admin_sign_in(client, "stella", "wrong")
    response = admin_sign_in(client, "stella", PASSWORD)
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert 0 < int(response["Retry-After"]) <= 15 * 60
    page = response.content.decode()
    assert "Too many failed sign-in attempts" in page and "Try again in" in page
    assert 'name="password"' not in page


def test_admin_and_api_sign_in_share_the_failure_counts(staff):
    client = Client()
    api = browser()
    csrf = fetch_csrf(api)
    for _ in range(3):
        sign_in_fails(api, csrf, username="stella")
    for _ in range(2):
        assert admin_sign_in(client, "stella", "wrong").status_code == HTTPStatus.OK
    assert admin_sign_in(client, "stella", PASSWORD).status_code == HTTPStatus.TOO_MANY_REQUESTS
    api_response = api.post(
        "/api/v1/auth/login", {"username": "stella", "password": PASSWORD}, format="json", HTTP_X_CSRFTOKEN=csrf
    )
    assert api_response.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_failures_across_accounts_from_one_address_lock_the_admin_sign_in(staff, settings):
    settings.POLYCMS_API = {"LOGIN_FAILURES_PER_IP": 4}
    client = Client()
    for name in ["bob", "carol", "dave", "erin"]:
        assert admin_sign_in(client, name, "wrong").status_code == HTTPStatus.OK
    assert admin_sign_in(client, "stella", PASSWORD).status_code == HTTPStatus.TOO_MANY_REQUESTS
    elsewhere = admin_sign_in(client, "stella", PASSWORD, REMOTE_ADDR="192.0.2.7")
    assert elsewhere.status_code == HTTPStatus.FOUND


def test_a_non_staff_password_is_a_failure_not_an_oracle(make_user):
    make_user("nora")  # not staff: the admin must not confirm that her password is right
    client = Client()
    for _ in range(5):
        response = admin_sign_in(client, "nora", PASSWORD)
        assert response.status_code == HTTPStatus.OK
        assert "correct username and password for a staff account" in response.content.decode()
    assert admin_sign_in(client, "nora", PASSWORD).status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_admin_sign_in_is_audited(staff, caplog):
    client = Client()
    with caplog.at_level(logging.INFO, logger="polycms.audit"):
        admin_sign_in(client, "stella", "hunter2-secret")
        assert admin_sign_in(client, "stella", PASSWORD).status_code == HTTPStatus.FOUND
    events = [(r.getMessage(), r.audit) for r in caplog.records if r.name == "polycms.audit"]
    assert events == [
        ("auth.login_failed", {"username": "stella", "ip": "127.0.0.1"}),
        ("auth.login", {"user_id": staff.pk, "username": "stella", "ip": "127.0.0.1"}),
    ]
    assert "hunter2-secret" not in caplog.text


def test_good_admin_sign_in_restarts_the_count(staff):
    client = Client()
    for _ in range(4):
        admin_sign_in(client, "stella", "wrong")
    assert admin_sign_in(client, "stella", PASSWORD).status_code == HTTPStatus.FOUND
    client.logout()
    for _ in range(4):
        admin_sign_in(client, "stella", "wrong")
    assert admin_sign_in(client, "stella", PASSWORD).status_code == HTTPStatus.FOUND
