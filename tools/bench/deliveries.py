"""Issue 15's delivery throughput: events recorded by real post changes, delivered by real ``manage.py worker``
processes to local receivers over HTTP, timed from the workers' start until every delivery is recorded a success.

As the suite's 1,000 x 5 test (tests/webhooks/test_worker.py), but on the bench's PostgreSQL and settings, and
reported beside the request rates. The receivers answer 204 at once: this measures PolyCMS's side.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tools.bench import load
from tools.processes import stop

EVENTS = 400
RECEIVERS = 5
WORKERS = 2
TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class DeliveryRun:
    """What one measurement found. ``cpu_ms_per_delivery`` is the workers' CPU (start-up included) per delivery;
    ``failed`` counts deliveries not a success at the end (any makes the run void)."""

    events: int
    receivers: int
    workers: int
    deliveries: int
    seconds: float
    per_second: float
    cpu_ms_per_delivery: float
    worker_rss_mb: float
    failed: int

    def as_dict(self) -> dict:
        return asdict(self)

    def line(self) -> str:
        verdict = f"VOID: {self.failed} not delivered" if self.failed else "all delivered once"
        return (
            f"webhook deliveries: {self.events:,} events x {self.receivers} receivers, {self.workers} workers: "
            f"{self.deliveries:,} in {self.seconds:.1f} s = {self.per_second:,.0f}/s, "
            f"{self.cpu_ms_per_delivery:.1f} ms worker CPU per delivery, worker RSS {self.worker_rss_mb:.0f} MB "
            f"({verdict})"
        )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver behind a proxy would

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received += 1
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def _receivers(count: int) -> Iterator[list[str]]:
    servers = []
    try:
        for _ in range(count):
            server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
            server.daemon_threads = True
            server.received = 0
            threading.Thread(target=server.serve_forever, daemon=True).start()
            servers.append(server)
        yield [f"http://127.0.0.1:{server.server_address[1]}/hook" for server in servers]
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def measure(env: dict[str, str], title_prefix: str, *, events: int = EVENTS) -> DeliveryRun:
    """Record ``events`` post creations (drafts of the bench user, each one ``post.created``) while ``RECEIVERS``
    webhooks of that user listen to it, then start ``WORKERS`` workers with ``env`` and wait until every delivery
    is recorded. Everything it made is deleted afterwards, but the posts (titled ``title_prefix``…, which the
    run's clean-up deletes with their events)."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from posts.models import Post
    from posts.services import post_create
    from tools.bench.fixtures import remove_events_of
    from tools.bench.seed import BENCH_USERNAME
    from webhooks.models import Delivery, Webhook
    from webhooks.services import webhook_create

    user = get_user_model().objects.get(username=BENCH_USERNAME)
    with _receivers(RECEIVERS) as urls:
        hooks = [
            webhook_create(owner=user, target_url=url, events=["post.created"], description=f"{title_prefix} {n}")[0]
            for n, url in enumerate(urls)
        ]
        try:
            for n in range(events):
                post_create(author=user, data={"title": f"{title_prefix} delivery {n}", "status": "draft"})
            expected = events * len(hooks)
            pending = Delivery.objects.filter(webhook__in=hooks).exclude(status=Delivery.Status.SUCCEEDED)
            connection.close()
            started = time.monotonic()
            with _workers(env) as workers:
                deadline = started + TIMEOUT_SECONDS
                while time.monotonic() < deadline:
                    made = Delivery.objects.filter(webhook__in=hooks).count()
                    if made == expected and not pending.exists():
                        break
                    time.sleep(0.05)
                seconds = time.monotonic() - started
                cpu = sum(load.cpu_seconds([p.pid for p in workers]).values())
                rss = max((load.rss_mb(p.pid) or 0.0) for p in workers)
            done = Delivery.objects.filter(webhook__in=hooks, status=Delivery.Status.SUCCEEDED).count()
        finally:
            created = Post.objects.filter(title__startswith=f"{title_prefix} delivery ")
            remove_events_of(list(created.values_list("pk", flat=True)))
            created.delete()
            Webhook.objects.filter(pk__in=[hook.pk for hook in hooks]).delete()
            connection.close()
    return DeliveryRun(
        events=events,
        receivers=len(hooks),
        workers=WORKERS,
        deliveries=done,
        seconds=round(seconds, 2),
        per_second=round(done / seconds, 1),
        cpu_ms_per_delivery=round(cpu * 1000 / max(done, 1), 2),
        worker_rss_mb=round(rss, 1),
        failed=expected - done,
    )


@contextlib.contextmanager
def _workers(env: dict[str, str]) -> Iterator[list[subprocess.Popen]]:
    command = [sys.executable, "manage.py", "worker", "--interval", "0.1", "--no-startup-delay"]
    started = [
        subprocess.Popen(command, cwd=load.PROJECT_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(WORKERS)
    ]
    try:
        yield started
    finally:
        stop(*started)
