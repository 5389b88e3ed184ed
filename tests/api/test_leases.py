"""Leased rate counts and reused failure counts (``api.leases``): fewer round trips, never a limit exceeded."""

from http import HTTPStatus

import pytest
from rest_framework.test import APIClient

from api import leases
from tests.api.test_throttling import assert_rate_limited

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_worker(monkeypatch):
    """Switch to a second worker's local state (its own leases and observed counts) and back: the cache
    they share is the test's."""
    states = {"first": leases._state, "second": leases._State()}

    def switch(name: str) -> None:
        monkeypatch.setattr(leases, "_state", states[name])

    return switch


def _hits(counter_limit: int, n: int, *, switch=None) -> list[bool]:
    from api.throttling import WindowCounter

    results = []
    for i in range(n):
        if switch is not None:
            switch("first" if i % 2 == 0 else "second")
        counter = WindowCounter("test", window=60, limits={("id", "x"): counter_limit}, leased=True)
        results.append(counter.hit())
    return results


def test_a_lease_is_a_sixteenth_of_the_headroom_at_most_rate_lease_max(settings):
    settings.POLYCMS_API = {"RATE_LEASE_MAX": 10}
    assert leases.lease_size("unseen", 1000) == 10
    assert leases.lease_size("unseen", 80) == 5
    assert leases.lease_size("unseen", 20) == 1  # small limits are counted one by one
    leases.grant("seen", limit=1000, added=10, total=980)
    assert leases.lease_size("seen", 1000) == 1  # 20 left under the limit
    settings.POLYCMS_API = {"RATE_LEASE_MAX": 1}
    assert leases.lease_size("unseen", 1000) == 1


def test_a_grant_keeps_only_the_units_within_the_limit():
    assert leases.grant("k", limit=100, added=10, total=105)  # 5 of the 10 within, 1 spent
    assert [leases.spend("k", 100) for _ in range(5)] == [True] * 4 + [False]
    assert not leases.grant("k", limit=100, added=10, total=115)  # none within
    assert not leases.spend("k", 100)


def test_a_worker_keeps_at_most_max_keys_dropping_the_oldest(monkeypatch):
    monkeypatch.setattr(leases, "MAX_KEYS", 3)
    for key in ["a", "b", "c"]:
        leases.grant(key, limit=100, added=10, total=10)
    leases.grant("a", limit=100, added=10, total=20)  # updated: now the most recent
    leases.grant("d", limit=100, added=10, total=10)
    assert list(leases._state.leases) == ["c", "a", "d"]  # "b", the oldest, dropped: its units count as spent
    leases.observe({key: 1 for key in "wxyz"})
    assert list(leases._state.observed) == ["x", "y", "z"]


def test_a_lease_granted_under_another_limit_is_not_spent():
    leases.grant("k", limit=100, added=10, total=10)
    assert not leases.spend("k", 6)  # the setting changed: counted again under the new limit
    assert leases.spend("k", 100)


@pytest.mark.parametrize("limit", [7, 50, 200])
def test_two_workers_leasing_never_exceed_the_limit_and_refuse_little_early(
    settings, frozen_clock, other_worker, limit
):
    settings.POLYCMS_API = {"RATE_LEASE_MAX": 10}
    results = _hits(limit, limit + 40, switch=other_worker)
    admitted = sum(results)
    assert admitted <= limit
    # What the two workers held unspent when the count ran out, at most RATE_LEASE_MAX - 1 each.
    assert admitted >= limit - 2 * 9
    assert not any(results[limit + 20 :])


def test_without_leases_every_request_is_counted_exactly(settings, frozen_clock, other_worker):
    settings.POLYCMS_API = {"RATE_LEASE_MAX": 1}
    assert _hits(50, 60, switch=other_worker) == [True] * 50 + [False] * 10


@pytest.mark.redis
def test_token_reads_go_to_redis_once_per_lease(bearer_with_read_rate, redis_round_trips):
    client = bearer_with_read_rate("1000/min")
    for _ in range(10):
        assert client.get("/api/v1/user").status_code == HTTPStatus.OK
    # The first: the IP's failure count read, and a lease of 10 reads taken; the next nine spend it.
    assert redis_round_trips == [["GET", "SET", "INCRBY"]]
    assert client.get("/api/v1/user").status_code == HTTPStatus.OK
    assert len(redis_round_trips) == 2


@pytest.mark.redis
def test_anonymous_reads_go_to_redis_once_per_lease(rates, redis_cache, frozen_clock, redis_round_trips):
    rates(anon="1000/min")
    client = APIClient()
    redis_round_trips.clear()
    for _ in range(10):
        assert client.get("/api/v1/health").status_code == HTTPStatus.OK
    counts = [trip for trip in redis_round_trips if "INCRBY" in trip]
    assert counts == [["SET", "INCRBY"]]


def test_a_worker_refuses_a_token_at_its_limit_although_another_holds_units(
    editor, token_client, rates, frozen_clock, other_worker
):
    rates(token_read="64/min")  # leases of 4
    client = token_client(editor)
    other_worker("second")
    assert client.get("/api/v1/user").status_code == HTTPStatus.OK  # the second worker leases 4, spends 1
    other_worker("first")
    statuses = [client.get("/api/v1/user").status_code for _ in range(64)]
    assert statuses.count(HTTPStatus.OK) == 60  # 64 minus the second worker's lease
    assert_rate_limited(client.get("/api/v1/user"))
    other_worker("second")
    assert [client.get("/api/v1/user").status_code for _ in range(4)] == [HTTPStatus.OK] * 3 + [429]


def test_bearer_failures_recorded_by_a_worker_refuse_there_at_once(user, make_token, settings, frozen_clock):
    settings.POLYCMS_API = {"BEARER_FAILURES_PER_IP": 3, "COUNT_CHECK_INTERVAL": 60}
    _token, plaintext = make_token(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer pat_garbage")
    for _ in range(3):
        assert client.get("/api/v1/user").status_code == HTTPStatus.UNAUTHORIZED
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert_rate_limited(client.get("/api/v1/user"))  # the good token too: counted before the lookup


def test_another_workers_bearer_failures_refuse_within_the_check_interval(
    user, make_token, settings, frozen_clock, other_worker, monkeypatch
):
    settings.POLYCMS_API = {"BEARER_FAILURES_PER_IP": 3, "COUNT_CHECK_INTERVAL": 1.0}
    _token, plaintext = make_token(user)
    good, bad = APIClient(), APIClient()
    good.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    bad.credentials(HTTP_AUTHORIZATION="Bearer pat_garbage")
    now = [1000.0]
    monkeypatch.setattr(leases.time, "monotonic", lambda: now[0])
    assert good.get("/api/v1/user").status_code == HTTPStatus.OK  # the first worker observes 0 failures
    other_worker("second")
    for _ in range(3):
        assert bad.get("/api/v1/user").status_code == HTTPStatus.UNAUTHORIZED
    other_worker("first")
    now[0] += 0.5
    assert good.get("/api/v1/user").status_code == HTTPStatus.OK  # within the interval: its observation stands
    now[0] += 0.6
    assert_rate_limited(good.get("/api/v1/user"))  # older than the interval: read again


def test_a_worker_keeps_observed_counts_only_of_failure_counters(editor, token_client, rates, frozen_clock):
    rates(token_read="1000/min")
    client = token_client(editor)
    assert client.get("/api/v1/user").status_code == HTTPStatus.OK
    # The IP's bearer failures, checked on every bearer request; not the token's rate, which is leased.
    assert [key.split(":")[1] for key in leases._state.observed] == ["bearer"]
    assert [key.split(":")[1] for key in leases._state.leases] == ["token_read"]
