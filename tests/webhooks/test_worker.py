"""Real ``manage.py worker`` processes on PostgreSQL, delivering to real receivers: a worker killed in the middle
of a delivery, and 1,000 events to 5 receivers with 2 workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from standardwebhooks import Webhook as Verifier

from posts.services import post_create
from tests.conftest import postgres_only
from tests.live import ROOT, django_env
from tests.webhooks.receivers import Answer
from tools.processes import stop
from webhooks.models import Delivery

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def worker_env() -> dict[str, str]:
    """The worker's environment: the suite's own test database and secret key (the secrets are encrypted under
    it), deliveries allowed to 127.0.0.1, claims that expire in seconds (``worker_settings``)."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return django_env(
        DJANGO_SETTINGS_MODULE="tests.webhooks.worker_settings",
        DJANGO_SECRET_KEY=settings.SECRET_KEY,
        DATABASE_URL=url,
        POLYCMS_WEBHOOKS_ALLOW_HTTP="1",
        POLYCMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS="1",
        DJANGO_LOG_LEVEL="WARNING",
    )


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[[], subprocess.Popen]]:
    """Start ``manage.py worker`` processes; each is stopped (SIGTERM, then SIGKILL) at the end of the test, before
    the test database is emptied."""
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        log = (tmp_path / f"worker-{len(started)}.log").open("ab")
        command = [sys.executable, "manage.py", "worker", "--interval", "0.05", "--no-startup-delay"]
        process = subprocess.Popen(command, cwd=ROOT, env=worker_env(), stdout=log, stderr=subprocess.STDOUT)
        started.append(process)
        return process

    yield start
    stop(*started, timeout=10)


def test_a_worker_killed_mid_delivery_is_delivered_after_restart(author, receiver, make_webhook, start_worker):
    hook = make_webhook(owner=author, url=receiver.url, events=["post.created"])
    arrived_once = threading.Event()
    receiver.script = [Answer(hold=arrived_once)]  # the first attempt never gets its answer
    post_create(author=author, data={"title": "Interrupted"})
    worker = start_worker()
    (first,) = receiver.wait_for(1)
    os.kill(worker.pid, signal.SIGKILL)  # in the middle of the delivery: sent, no answer read, nothing recorded
    worker.wait()
    arrived_once.set()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING and delivery.attempt_count == 0

    start_worker()
    second = receiver.wait_for(2, timeout=30)[1]
    assert second.headers["webhook-id"] == first.headers["webhook-id"]
    assert second.body == first.body
    Verifier(hook.secret).verify(second.body, second.headers)
    deadline = time.monotonic() + 10
    while delivery.status == Delivery.Status.PENDING and time.monotonic() < deadline:
        time.sleep(0.05)  # the worker records the answer just after the receiver sent it
        delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.attempt_count == 1  # the lost attempt left no record; receivers dedupe on webhook-id


def cpu_seconds(process: subprocess.Popen) -> float:
    """User and system CPU time ``process`` has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_1000_events_to_5_receivers_with_2_workers(author, make_receiver, make_webhook, start_worker, record_property):
    receivers = [make_receiver() for _ in range(5)]
    hooks = [make_webhook(owner=author, url=receiver.url, events=["post.created"]) for receiver in receivers]
    for n in range(1000):  # 1,000 changes, each its own transaction with its event
        post_create(author=author, data={"title": f"Event {n}"})
    with connection.cursor() as cursor:
        # As a database in use has them: statistics for the job queue (created empty by the test's migrations, it
        # would be planned as empty, and every claim would sort all ready jobs) and the webhooks tables.
        cursor.execute("ANALYZE")
    started = time.monotonic()
    workers = [start_worker(), start_worker()]
    for receiver in receivers:
        receiver.wait_for(1000, timeout=600)  # minutes on a loaded machine; about two on a quiet one
    seconds = time.monotonic() - started
    deadline = time.monotonic() + 30
    while Delivery.objects.exclude(status=Delivery.Status.SUCCEEDED).exists() and time.monotonic() < deadline:
        time.sleep(0.1)  # the last answers are being recorded
    cpu_ms = sum(cpu_seconds(worker) for worker in workers) * 1000 / 5000
    record_property("deliveries_per_second", round(5000 / seconds, 1))
    record_property("worker_cpu_ms_per_delivery", round(cpu_ms, 2))
    print(
        f"\n1,000 events x 5 receivers, 2 workers: 5,000 deliveries in {seconds:.1f} s ({5000 / seconds:.0f}/s), "
        f"{cpu_ms:.1f} ms of worker CPU per delivery (start-up and dispatch included), load {os.getloadavg()[0]:.1f}"
    )

    assert Delivery.objects.count() == 5000
    assert not Delivery.objects.exclude(status=Delivery.Status.SUCCEEDED).exists()
    for receiver, hook in zip(receivers, hooks, strict=True):
        ids = Counter(request.headers["webhook-id"] for request in receiver.received)
        assert len(ids) == 1000  # none lost
        assert max(ids.values()) == 1  # none duplicated (every answer was 200: no retry is documented here)
        verifier = Verifier(hook.secret)
        titles = {verifier.verify(request.body, request.headers)["data"]["title"] for request in receiver.received}
        assert titles == {f"Event {n}" for n in range(1000)}
