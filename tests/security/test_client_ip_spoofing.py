"""Attack: spoof ``X-Forwarded-For`` to dodge rate limits, lock out someone else's address, or plant
garbage in audit lines and ``last_used_ip``. Defence: ``polycms.http.client_ip`` trusts the header only
behind ``DJANGO_NUM_PROXIES`` proxies, and only a valid address from it."""

from http import HTTPStatus

import pytest
from rest_framework.test import APIClient

from tokens import crypto

# A stopped clock: the rate windows these tests fill cannot roll over mid-test (tests/windows.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

ATTACKER = "203.0.113.66"
VICTIM = "127.0.0.1"


@pytest.fixture
def proxies(settings):
    """Set the number of trusted proxies; 0 keeps the settings as the environment made them (no
    ``DJANGO_NUM_PROXIES``), which is the configuration under attack."""

    def set_proxies(count: int) -> None:
        if count:
            settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": count}

    return set_proxies


def failed_sign_in(client: APIClient, n: int, **meta) -> int:
    body = {"username": f"nobody{n}", "password": "wrong"}
    return client.post("/api/v1/auth/login", body, format="json", REMOTE_ADDR=ATTACKER, **meta).status_code


def test_forwarded_for_does_not_lift_the_sign_in_limit_without_a_proxy(proxies):
    proxies(0)
    client = APIClient()
    statuses = [failed_sign_in(client, n) for n in range(20)]
    assert statuses == [HTTPStatus.UNAUTHORIZED] * 20
    assert failed_sign_in(client, 20) == HTTPStatus.TOO_MANY_REQUESTS
    spoofed = [failed_sign_in(client, 21 + i, HTTP_X_FORWARDED_FOR=f"10.9.8.{i}") for i in range(8)]
    assert spoofed == [HTTPStatus.TOO_MANY_REQUESTS] * 8


def test_forwarded_for_written_by_the_client_does_not_lift_the_limit_behind_a_proxy(proxies):
    proxies(1)
    client = APIClient()
    # The proxy appends the address it saw (the attacker's) to whatever the attacker wrote.
    statuses = [failed_sign_in(client, n, HTTP_X_FORWARDED_FOR=f"10.9.8.{n}, {ATTACKER}") for n in range(21)]
    assert statuses[-1] == HTTPStatus.TOO_MANY_REQUESTS


@pytest.mark.parametrize("num_proxies", [0, 1])
def test_bad_tokens_cannot_lock_out_another_address(proxies, num_proxies, user, make_token):
    proxies(num_proxies)
    attacker = APIClient(REMOTE_ADDR=ATTACKER)
    # Behind a proxy the attacker's own claim is on the left, the proxy's observation on the right.
    claimed = VICTIM if num_proxies == 0 else f"{VICTIM}, {ATTACKER}"
    for _ in range(30):
        attacker.credentials(HTTP_AUTHORIZATION=f"Bearer {crypto.generate_token()}", HTTP_X_FORWARDED_FOR=claimed)
        attacker.get("/api/v1/user")
    assert attacker.get("/api/v1/user").status_code == HTTPStatus.TOO_MANY_REQUESTS

    _, plaintext = make_token(user)
    victim = APIClient(REMOTE_ADDR=VICTIM)
    victim_forwarded = {} if num_proxies == 0 else {"HTTP_X_FORWARDED_FOR": VICTIM}
    response = victim.get("/api/v1/user", HTTP_AUTHORIZATION=f"Bearer {plaintext}", **victim_forwarded)
    assert response.status_code == HTTPStatus.OK


@pytest.mark.parametrize("num_proxies", [0, 1, 2])
@pytest.mark.parametrize("forwarded", ["<script>not-an-ip", ",", "999.1.1.1", "fe80::1%eth0", " , ,"])
def test_garbage_forwarded_for_is_never_stored_or_a_crash(proxies, num_proxies, forwarded, user, make_token):
    proxies(num_proxies)
    token, plaintext = make_token(user)
    client = APIClient(REMOTE_ADDR=ATTACKER)
    for _ in range(2):  # the second request too: no value that made the first one fail is stored
        response = client.get("/api/v1/user", HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_X_FORWARDED_FOR=forwarded)
        assert response.status_code == HTTPStatus.OK, response.content
    token.refresh_from_db()
    assert token.last_used_ip == ATTACKER


def test_failed_bearer_audit_line_carries_a_real_address(proxies, caplog, db):
    proxies(1)
    client = APIClient(REMOTE_ADDR=ATTACKER)
    with caplog.at_level("INFO", logger="polycms.audit"):
        client.get("/api/v1/user", HTTP_AUTHORIZATION=f"Bearer {crypto.generate_token()}", HTTP_X_FORWARDED_FOR=",")
    (event,) = [r.audit for r in caplog.records if r.getMessage() == "auth.bearer_failed"]
    assert event["ip"] == ATTACKER
