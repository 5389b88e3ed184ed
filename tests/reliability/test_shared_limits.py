"""Limits hold across gunicorn workers because their counters live in Redis, and the API keeps serving when
Redis is gone (limits degrade open).

Every server here has two workers, most of them replaced after each request (``--max-requests 1``): nothing a
worker keeps in memory lasts from one request to the next, so only a shared counter can refuse a request.
The leases of reads (``api.leases``) are tested on workers that live on.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from http import HTTPStatus
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from api.settings import api_settings
from tests.conftest import delete_cache_keys, suite_redis_url
from tests.live import Gunicorn, django_env, free_port, http_request, live_database, manage, superuser_token
from tests.windows import one_window


@pytest.fixture(scope="module")
def database_url(tmp_path_factory) -> Iterator[str]:
    """A migrated database of this module's own."""
    with live_database("limits", tmp_path_factory.mktemp("shared-limits")) as url:
        manage(django_env(DATABASE_URL=url), "migrate", "--noinput")
        yield url


@pytest.fixture(scope="module")
def token(database_url, tmp_path_factory) -> str:
    secret_file = tmp_path_factory.mktemp("token") / "token"
    return superuser_token(django_env(DATABASE_URL=database_url), secret_file, "limits")


@pytest.fixture
def cache_prefix() -> str:
    """A key prefix of this test's own: its servers' counters are deleted after it, and nothing else is."""
    return f"polycms-test-{secrets.token_hex(6)}"


@pytest.fixture
def redis_url(request, cache_prefix) -> Iterator[str]:
    """``REDIS_URL`` of the suite's Redis server; the test's keys (``cache_prefix``) are deleted after it."""
    url = suite_redis_url(request)
    yield url
    delete_cache_keys(url, cache_prefix)  # a login lock would outlive the test by a window


@pytest.fixture
def serve(database_url, cache_prefix, tmp_path: Path) -> Iterator[Callable[..., Gunicorn]]:
    """``serve(**env)``: a gunicorn on the module's database with ``env`` added, whose two workers are each
    replaced after one request (``recycle=False``: kept)."""
    servers: list[Gunicorn] = []

    def start(*, recycle: bool = True, **env: str) -> Gunicorn:
        environment = django_env(DATABASE_URL=database_url, DJANGO_CACHE_KEY_PREFIX=cache_prefix, **env)
        server = Gunicorn(environment, log_file=tmp_path / "gunicorn.log")
        servers.append(server)
        return server.start(*(["--max-requests", "1"] if recycle else []), workers=2)

    yield start
    for server in servers:
        server.stop()


def assert_fourth_request_is_rate_limited(url: str, token: str | None = None) -> None:
    responses = [http_request(url, token=token) for _ in range(4)]
    assert [response.status for response in responses[:3]] == [HTTPStatus.OK] * 3
    refused = responses[3]
    assert refused.status == HTTPStatus.TOO_MANY_REQUESTS, refused.body[:300]
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["retry-after"]) > 0


# The servers' windows are fixed (api.throttling) and their clock is not ours to stop: the counted requests
# run inside one_window(), with hour-long rate windows so that it seldom has to wait for a fresh one.
HOURLY = 3600
BUDGET = 60  # seconds the counted requests may take, each worker being replaced after each request


@pytest.mark.redis
def test_token_rate_limit_is_shared_by_workers(serve, redis_url, token):
    server = serve(REDIS_URL=redis_url, POLYCMS_RATE_TOKEN_READ="3/hour")

    with one_window(HOURLY, budget=BUDGET):
        assert_fourth_request_is_rate_limited(f"{server.url}/api/v1/posts", token)


@pytest.mark.redis
def test_leased_reads_never_pass_the_limit_across_workers(serve, redis_url, token):
    # 160 an hour: each worker takes leases of 10 reads (a sixteenth of what is left, at most RATE_LEASE_MAX).
    server = serve(REDIS_URL=redis_url, POLYCMS_RATE_TOKEN_READ="160/hour", recycle=False)

    with one_window(HOURLY, budget=BUDGET):
        statuses = [http_request(f"{server.url}/api/v1/user", token=token).status for _ in range(200)]

    served = statuses.count(HTTPStatus.OK)
    # Never more than the limit; fewer by at most what the two workers hold unspent (9 each).
    assert 160 - 2 * 9 <= served <= 160, statuses
    assert set(statuses) == {HTTPStatus.OK, HTTPStatus.TOO_MANY_REQUESTS}


@pytest.mark.redis
def test_anonymous_rate_limit_is_shared_by_workers(serve, redis_url, cache_prefix):
    server = serve(REDIS_URL=redis_url, POLYCMS_RATE_ANON="3/hour")

    with one_window(HOURLY, budget=BUDGET):
        delete_cache_keys(redis_url, cache_prefix)  # forget the start-up health checks: anonymous requests too
        assert_fourth_request_is_rate_limited(f"{server.url}/api/v1/posts")


@pytest.mark.redis
def test_failed_logins_are_counted_across_workers(serve, redis_url):
    server = serve(REDIS_URL=redis_url)
    csrf = http_request(f"{server.url}/api/v1/auth/csrf")
    cookie = SimpleCookie(csrf.headers["set-cookie"])["csrftoken"].value
    headers = {"X-CSRFToken": csrf.headers["x-csrftoken"], "Cookie": f"csrftoken={cookie}"}
    attempt = {"username": "mallory", "password": "guess"}

    with one_window(api_settings.LOGIN_FAILURE_WINDOW, budget=BUDGET):  # the server's default, 15 minutes
        statuses = [
            http_request(f"{server.url}/api/v1/auth/login", "POST", headers=headers, body=attempt).status
            for _ in range(6)
        ]

    assert statuses == [HTTPStatus.UNAUTHORIZED] * 5 + [HTTPStatus.TOO_MANY_REQUESTS]


def test_api_keeps_serving_tokens_when_redis_is_down(serve, token):
    server = serve(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", POLYCMS_RATE_TOKEN_READ="3/min")  # no one there

    statuses = [http_request(f"{server.url}/api/v1/posts", token=token).status for _ in range(4)]

    assert statuses == [HTTPStatus.OK] * 4
    assert "rate limiting degraded open" in server.log()
