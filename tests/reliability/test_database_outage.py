"""PostgreSQL stopped under load: the API answers 503 ``service_unavailable`` in the error format, fast,
and the same gunicorn workers serve 200 again once PostgreSQL is back, with no restart.

Runs a private PostgreSQL cluster (its own data directory and port, never the shared server) and a real
gunicorn, whatever database the rest of the suite uses.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus

import pytest

from tests.live import Gunicorn, HttpResult, django_env, http_request, manage, superuser_token
from tests.reliability.servers import PrivateCluster, missing_postgres_tools

MISSING_TOOLS = missing_postgres_tools()
pytestmark = pytest.mark.skipif(MISSING_TOOLS is not None, reason=MISSING_TOOLS or "")

CONNECT_TIMEOUT = 2  # DATABASE_CONNECT_TIMEOUT given to gunicorn, seconds
REQUEST_LIMIT = CONNECT_TIMEOUT + 3  # no request may take longer, outage or not
RECOVERY_LIMIT = 10  # seconds after PostgreSQL is back within which requests succeed again
LOAD_PATHS = ["/api/v1/user", "/api/v1/posts"]
LOAD_THREADS = 4


@dataclass
class Stack:
    cluster: PrivateCluster
    server: Gunicorn
    token: str

    def get(self, path: str) -> HttpResult:
        return http_request(self.server.url + path, token=self.token, timeout=REQUEST_LIMIT + 5)


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    logs = tmp_path_factory.mktemp("outage")
    cluster = PrivateCluster.create()
    server = None
    try:
        cluster.start()
        cluster.create_database("polycms")
        env = django_env(
            DATABASE_URL=cluster.url("polycms"),
            DATABASE_CONNECT_TIMEOUT=str(CONNECT_TIMEOUT),
            POLYCMS_RATE_TOKEN_READ="1000000/min",  # the load is ours; rate limits are tested elsewhere
        )
        manage(env, "migrate", "--noinput")
        token = superuser_token(env, cluster.root / "token", "outage")
        server = Gunicorn(env, log_file=logs / "gunicorn.log").start(workers=2)
        yield Stack(cluster, server, token)
    finally:
        if server is not None:
            server.stop()
        cluster.destroy()


@pytest.fixture
def running_cluster(stack: Stack) -> Iterator[PrivateCluster]:
    """The stack's cluster, running again after the test whatever happened in it."""
    yield stack.cluster
    if not stack.cluster.is_running():
        stack.cluster.start()


@dataclass
class Load:
    """Threads GETting ``LOAD_PATHS`` in turn until stopped, recording every result (or network error)."""

    stack: Stack
    results: list[HttpResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    _changed: threading.Condition = field(default_factory=threading.Condition)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> Load:
        self._threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(LOAD_THREADS)]
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=REQUEST_LIMIT + 10)

    def _run(self, offset: int) -> None:
        n = offset
        while not self._stop.is_set():
            path = LOAD_PATHS[n % len(LOAD_PATHS)]
            n += 1
            try:
                result = self.stack.get(path)
            except OSError as exc:  # refused, reset or timed out: the API must never do this
                with self._changed:
                    self.errors.append(f"{path}: {exc!r}")
                    self._changed.notify_all()
                continue
            with self._changed:
                self.results.append(result)
                self._changed.notify_all()

    def wait_for(self, predicate: Callable[[list[HttpResult]], bool], timeout: float) -> bool:
        """Wait until ``predicate(results)`` holds (True) or ``timeout`` seconds pass (False)."""
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self.results), timeout=timeout)


def started_after(moment: float) -> Callable[[list[HttpResult]], list[HttpResult]]:
    return lambda results: [result for result in results if result.started >= moment]


def is_unavailable_error(result: HttpResult) -> bool:
    if result.status != HTTPStatus.SERVICE_UNAVAILABLE or result.content_type != "application/json":
        return False
    error = result.json().get("error", {})
    return error.get("code") == "service_unavailable" and isinstance(error.get("message"), str)


def describe(result: HttpResult) -> str:
    return f"{result.status} {result.content_type} after {result.elapsed:.2f}s: {result.body[:200]!r}"


def test_requests_answer_503_while_postgres_is_down_and_recover_without_restart(stack, running_cluster):
    workers = stack.server.worker_pids()
    assert stack.get("/api/v1/health").status == HTTPStatus.OK
    assert stack.get("/api/v1/user").status == HTTPStatus.OK

    with Load(stack) as load:
        assert load.wait_for(lambda results: len(results) >= 20, timeout=15), "no load before the outage"
        running_cluster.stop()
        outage_began = time.monotonic()
        during_outage = started_after(outage_began)
        assert load.wait_for(lambda results: len(during_outage(results)) >= 100, timeout=15), "no load in the outage"
        outage_ended = time.monotonic()
        running_cluster.start()
        back = time.monotonic()
        after = started_after(back)
        recovered = load.wait_for(lambda results: len(after(results)) >= 20, timeout=RECOVERY_LIMIT)

    assert not load.errors, f"requests failed at the network level: {load.errors[:5]}"
    assert recovered, f"fewer than 20 requests completed within {RECOVERY_LIMIT}s of PostgreSQL's return"
    slow = [describe(result) for result in load.results if result.elapsed >= REQUEST_LIMIT]
    assert not slow, f"requests took longer than {REQUEST_LIMIT}s: {slow[:5]}"
    # Requests cut by the stop itself may have been answered either way, but only in these two ways.
    wrong = [
        describe(result)
        for result in load.results
        if result.status != HTTPStatus.OK and not is_unavailable_error(result)
    ]
    assert not wrong, f"answers that are neither 200 nor 503 service_unavailable: {wrong[:5]}"
    in_outage = [r for r in during_outage(load.results) if r.started + r.elapsed <= outage_ended]
    assert in_outage and all(is_unavailable_error(r) for r in in_outage), [describe(r) for r in in_outage[:5]]
    not_recovered = [describe(result) for result in after(load.results) if result.status != HTTPStatus.OK]
    assert not not_recovered, f"requests failed after PostgreSQL was back: {not_recovered[:5]}"
    assert stack.server.worker_pids() == workers, "gunicorn replaced its workers"


def test_health_answers_503_while_postgres_is_down_and_200_once_it_is_back(stack, running_cluster):
    workers = stack.server.worker_pids()
    running_cluster.stop()

    down = stack.get("/api/v1/health")

    assert is_unavailable_error(down), describe(down)
    assert down.elapsed < REQUEST_LIMIT

    running_cluster.start()

    up = stack.get("/api/v1/health")

    assert up.status == HTTPStatus.OK, describe(up)
    assert up.json() == {"data": {"status": "ok", "database": "ok"}}
    assert stack.server.worker_pids() == workers, "gunicorn replaced its workers"


def test_after_a_restart_the_first_requests_are_served_on_new_connections(stack, running_cluster):
    # No request in between: each worker still holds the connection of the server that went away, and the
    # health check (polycms.db.postgresql, no round trip) must see it is dead before the first query.
    workers = stack.server.worker_pids()
    assert all(stack.get("/api/v1/user").status == HTTPStatus.OK for _ in range(10))
    running_cluster.stop()
    running_cluster.start()

    after = [stack.get("/api/v1/user") for _ in range(10)]

    assert all(result.status == HTTPStatus.OK for result in after), [describe(r) for r in after if r.status != 200]
    assert stack.server.worker_pids() == workers, "gunicorn replaced its workers"
