"""A token revoked while requests with it are in flight (PostgreSQL, real connections)."""

import threading
import time
from http import HTTPStatus

import pytest
from django.db import connections

from tests.concurrency import bearer
from tests.conftest import postgres_only
from tokens import services

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]


def test_every_request_starting_after_the_revoke_commits_is_401(user, make_token, settings):
    settings.POLYCMS_API = {"BEARER_FAILURES_PER_IP": 10**6}  # measure revocation, not the failure limit
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "token_read": "1000000/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    token, plaintext = make_token(user)
    results: list[tuple[float, int]] = []
    stop = threading.Event()

    def hammer() -> None:
        client = bearer(plaintext)
        try:
            while not stop.is_set():
                started = time.monotonic()
                results.append((started, client.get("/api/v1/user").status_code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # let requests flow with the valid token
    services.token_revoke(token=token, by=user)  # autocommit: committed when this returns
    committed = time.monotonic()
    time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join()

    before = [status for started, status in results if started < committed]
    after = [status for started, status in results if started > committed]
    assert HTTPStatus.OK in before
    assert after, "no request started after the revoke"
    assert set(after) == {HTTPStatus.UNAUTHORIZED}
    assert set(before) <= {HTTPStatus.OK, HTTPStatus.UNAUTHORIZED}
