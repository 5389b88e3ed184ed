"""Failed sign-ins are counted in Redis, so a limit holds across gunicorn workers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from http.cookies import SimpleCookie

import pytest

from tests.browser.conftest import LiveServer, free_port, http_request

pytestmark = pytest.mark.redis

FAILURE_KEYS = "polycms:*:failures:login:*"  # the settings' KEY_PREFIX, a version, FailureCounter's keys


@pytest.fixture
def single_request_workers(api_server, tmp_path) -> Iterator[LiveServer]:
    """A second gunicorn on the same database, with Redis, whose two workers are each replaced after one
    request: nothing a worker keeps in memory lasts from one request to the next."""
    import redis

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"needs Redis at {url} (set REDIS_URL)")
    client.delete(*client.keys(FAILURE_KEYS) or ["-"])
    server = LiveServer(
        url=f"http://localhost:{free_port()}", env={**api_server.env, "REDIS_URL": url}, log=tmp_path / "gunicorn.log"
    )
    server.start("--workers", "2", "--max-requests", "1")
    yield server
    server.stop()
    client.delete(*client.keys(FAILURE_KEYS) or ["-"])  # the lock would outlive the test by a window


def test_failed_logins_are_counted_across_workers(single_request_workers):
    api = single_request_workers.url
    csrf = http_request(f"{api}/api/v1/auth/csrf")
    cookie = SimpleCookie(csrf.headers["set-cookie"])["csrftoken"].value
    headers = {"X-CSRFToken": csrf.headers["x-csrftoken"], "Cookie": f"csrftoken={cookie}"}
    attempt = {"username": "mallory", "password": "guess"}
    statuses = [http_request(f"{api}/api/v1/auth/login", "POST", headers, attempt).status for _ in range(6)]
    assert statuses == [401] * 5 + [429]
