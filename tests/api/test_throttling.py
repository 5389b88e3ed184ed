from http import HTTPStatus

import pytest
from rest_framework.test import APIClient

from tests.conftest import TEST_CACHE_PREFIX
from tokens import crypto

pytestmark = pytest.mark.django_db


def assert_rate_limited(response) -> None:
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert response.json()["error"]["code"] == "rate_limited"
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"]["details"]["retry_after"] > 0


def test_token_reads_and_writes_have_separate_budgets(editor, token_client, rates, frozen_clock):
    rates(token_read="3/min", token_write="2/min")
    client = token_client(editor)
    assert [client.get("/api/v1/posts").status_code for _ in range(3)] == [HTTPStatus.OK] * 3
    assert_rate_limited(client.get("/api/v1/posts"))
    assert client.post("/api/v1/posts", {"title": "still allowed"}, format="json").status_code == HTTPStatus.CREATED


def test_each_token_has_its_own_budget(editor, token_client, rates, frozen_clock):
    rates(token_read="1/min")
    first, second = token_client(editor, name="one"), token_client(editor, name="two")
    assert first.get("/api/v1/user").status_code == HTTPStatus.OK
    assert_rate_limited(first.get("/api/v1/user"))
    assert second.get("/api/v1/user").status_code == HTTPStatus.OK


def test_anonymous_callers_are_limited_per_ip(db, rates, frozen_clock):
    rates(anon="2/min")
    client = APIClient()
    assert client.get("/api/v1/posts").status_code == HTTPStatus.OK
    assert client.get("/api/v1/posts").status_code == HTTPStatus.OK
    assert_rate_limited(client.get("/api/v1/posts"))
    other_ip = APIClient(REMOTE_ADDR="10.9.8.7")
    assert other_ip.get("/api/v1/posts").status_code == HTTPStatus.OK


def test_failed_bearer_authentication_is_limited_per_ip_without_queries(
    user, make_token, settings, django_assert_num_queries, frozen_clock
):
    settings.POLYCMS_API = {"BEARER_FAILURES_PER_IP": 3}
    _, valid = make_token(user)
    scanner = APIClient()
    for _ in range(3):
        scanner.credentials(HTTP_AUTHORIZATION=f"Bearer {crypto.generate_token()}")
        assert scanner.get("/api/v1/user").status_code == HTTPStatus.UNAUTHORIZED
    scanner.credentials(HTTP_AUTHORIZATION=f"Bearer {valid}")
    with django_assert_num_queries(0):
        assert_rate_limited(scanner.get("/api/v1/user"))
    elsewhere = APIClient(REMOTE_ADDR="10.1.1.1")
    elsewhere.credentials(HTTP_AUTHORIZATION=f"Bearer {valid}")
    assert elsewhere.get("/api/v1/user").status_code == HTTPStatus.OK


def test_cache_outage_degrades_open_with_a_warning(editor, token_client, settings, rates, caplog):
    rates(token_read="1/min")
    client = token_client(editor)
    settings.CACHES = {
        "default": {
            "BACKEND": "polycms.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with caplog.at_level("WARNING", logger="polycms.api"):
        statuses = [client.get("/api/v1/posts").status_code for _ in range(3)]
    assert statuses == [HTTPStatus.OK] * 3
    assert any("degraded open" in record.getMessage() for record in caplog.records)


@pytest.mark.redis
def test_counters_live_in_redis_when_configured(editor, token_client, rates, redis_cache):
    rates(token_read="2/min")
    client = token_client(editor)
    assert client.get("/api/v1/user").status_code == HTTPStatus.OK
    import redis

    # Only this run's keys: another run's counters on the same Redis must not make this pass.
    keys = list(redis.Redis.from_url(redis_cache).scan_iter(match=f"{TEST_CACHE_PREFIX}:*window:token_read*"))
    assert keys, "the throttle counter is not in Redis"


def _hits(counter_limits: dict, n: int) -> list[bool]:
    from api.throttling import WindowCounter

    return [WindowCounter("test", window=60, limits=counter_limits).hit() for _ in range(n)]


def test_window_counter_counts_to_its_limit_in_memory(frozen_clock):
    assert _hits({("ip", "10.0.0.1"): 2}, 3) == [True, True, False]
    assert _hits({("ip", "10.0.0.2"): 2}, 1) == [True]


@pytest.mark.redis
def test_window_counter_counts_in_one_round_trip_on_redis(redis_cache, frozen_clock, redis_round_trips, monkeypatch):
    import redis

    from api.throttling import WindowCounter

    limits = {("ip", "10.0.0.3"): 2, ("account", "alice"): 5}
    assert _hits(limits, 3) == [True, True, False]
    assert redis_round_trips == [["SET", "INCRBY"] * 2] * 3  # SET NX EX and INCRBY for each of the two counters
    counter = WindowCounter("test", window=60, limits=limits)
    assert counter.exceeded()  # get_many reads the counts INCR wrote
    client = redis.Redis.from_url(redis_cache)
    ttls = [client.ttl(key) for key in client.scan_iter(match=f"{TEST_CACHE_PREFIX}:*window:test:*")]
    assert len(ttls) == 2 and all(0 < ttl <= 60 + 60 for ttl in ttls)


@pytest.mark.redis
def test_a_bearer_request_makes_one_round_trip_to_redis(bearer_with_read_rate, redis_round_trips):
    client = bearer_with_read_rate("2/min")
    assert client.get("/api/v1/user").status_code == HTTPStatus.OK
    # The client IP's failed authentications read, and the token's read rate counted, together.
    assert redis_round_trips == [["GET", "SET", "INCRBY"]]
    assert client.get("/api/v1/user").status_code == HTTPStatus.OK
    assert_rate_limited(client.get("/api/v1/user"))  # the throttle judged by the count taken ahead
    assert len(redis_round_trips) == 3


@pytest.mark.redis
def test_a_counter_connection_the_server_closed_is_replaced_without_losing_the_count(redis_cache, frozen_clock, caplog):
    import redis

    from api.throttling import WindowCounter, _counter_connection

    limits = {("ip", "10.0.0.4"): 2}
    assert _hits(limits, 1) == [True]
    kept = _counter_connection.connection
    kept.send_command("CLIENT", "ID")
    redis.Redis.from_url(redis_cache).client_kill_filter(_id=kept.read_response())

    with caplog.at_level("WARNING", logger="polycms.api"):
        assert _hits(limits, 2) == [True, False]  # counted on a new connection: 2, then 3 > 2
    assert _counter_connection.connection is not kept
    assert not any("degraded open" in record.getMessage() for record in caplog.records)
    assert WindowCounter("test", window=60, limits=limits).exceeded()


def test_a_request_the_token_may_not_make_still_counts_against_its_rate(editor, token_client, rates, frozen_clock):
    rates(token_read="1/min")
    client = token_client(editor, abilities=["user:read"])
    assert client.get("/api/v1/posts").status_code == HTTPStatus.FORBIDDEN  # counted when it authenticated
    assert_rate_limited(client.get("/api/v1/user"))
