"""Issue 17's upload throughput: a 2 MB JPEG uploaded to ``POST /api/v1/media`` (raw body, a personal access
token) by a few concurrent clients, against gunicorn with the bench settings, its workers' resident memory sampled
while they upload; then the renditions those uploads queued, made by one real ``manage.py worker``, and that
worker's memory.

The uploads go to a temporary MEDIA_ROOT, removed afterwards with the items' rows and jobs: the bench database
keeps nothing of it.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from tools.bench import load
from tools.processes import stop

UPLOADS = 60
CONNECTIONS = 4
TARGET_BYTES = 2 * 1024 * 1024
TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class UploadRun:
    """What one measurement found. ``failed`` counts uploads not answered 201 (any makes the run void)."""

    uploads: int
    connections: int
    file_bytes: int
    seconds: float
    per_second: float
    megabytes_per_second: float
    p50_ms: float
    p95_ms: float
    server_cpu_ms_per_upload: float
    server_worker_rss_idle_mb: float
    server_worker_rss_mb: float
    renditions: int
    renditions_seconds: float
    job_worker_rss_mb: float
    failed: int

    def as_dict(self) -> dict:
        return asdict(self)

    def line(self) -> str:
        verdict = f"VOID: {self.failed} failed" if self.failed else "all stored"
        return (
            f"media uploads: {self.uploads} x {self.file_bytes / 1e6:.1f} MB JPEG over {self.connections} connections: "
            f"{self.per_second:.1f}/s ({self.megabytes_per_second:.1f} MB/s), p50 {self.p50_ms:.0f} ms, "
            f"p95 {self.p95_ms:.0f} ms, {self.server_cpu_ms_per_upload:.0f} ms server CPU per upload, gunicorn "
            f"worker RSS {self.server_worker_rss_idle_mb:.0f} MB idle, {self.server_worker_rss_mb:.0f} MB peak; "
            f"renditions: {self.renditions} in {self.renditions_seconds:.1f} s by 1 job worker, its RSS peak "
            f"{self.job_worker_rss_mb:.0f} MB ({verdict})"
        )


def photo_jpeg(target_bytes: int = TARGET_BYTES) -> bytes:
    """A JPEG of about ``target_bytes`` (the quality whose size is nearest): a photo-like image, smooth gradients
    under fine noise (what makes a camera's JPEG large), 2400 x 1600."""
    from PIL import Image, ImageFilter

    size = (2400, 1600)
    noise = Image.effect_noise(size, 60).convert("RGB")
    gradient = Image.linear_gradient("L").resize(size).convert("RGB")
    image = Image.blend(gradient, noise.filter(ImageFilter.GaussianBlur(0.6)), 0.5)
    encoded = []
    for quality in range(80, 99):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        encoded.append(out.getvalue())
    return min(encoded, key=lambda content: abs(len(content) - target_bytes))


def measure(env: dict[str, str], *, uploads: int = UPLOADS, workers: int = 2, log_dir: Path) -> UploadRun:
    """Upload ``uploads`` copies of a 2 MB JPEG with ``CONNECTIONS`` clients to a gunicorn of ``workers`` workers
    in ``env``, then make their renditions with one job worker; remove everything it made."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from media.models import Media
    from tokens.services import token_create
    from tools.bench.seed import BENCH_USERNAME

    content = photo_jpeg()
    media_root = Path(tempfile.mkdtemp(prefix="polycms-bench-media-"))
    user = get_user_model().objects.get(username=BENCH_USERNAME)
    token, plaintext = token_create(owner=user, name=f"bench uploads {os.getpid()}", abilities=["media:write"])
    before = set(Media.objects.values_list("pk", flat=True))
    run_started = timezone.now()
    connection.close()
    server_env = {**env, "DJANGO_MEDIA_ROOT": str(media_root)}
    try:
        gunicorn = load.GunicornServer(env=server_env, workers=workers, log_path=log_dir / "gunicorn-uploads.log")
        with gunicorn as server:
            idle_rss = max(server.worker_rss_mb().values(), default=0.0)  # Django loaded, one request served
            with _peak_rss(server.worker_pids) as server_rss:
                cpu_before = load.cpu_seconds(server.worker_pids())
                started = time.monotonic()
                latencies, statuses = _upload_all(server.port, plaintext, content, uploads)
                seconds = time.monotonic() - started
                cpu = sum(load.cpu_seconds(server.worker_pids()).values()) - sum(cpu_before.values())
        made = [pk for pk in Media.objects.values_list("pk", flat=True) if pk not in before]
        connection.close()
        rendition_seconds, job_rss = _make_renditions(server_env, made)
        renditions = sum(
            1
            for renditions in Media.objects.filter(pk__in=made).values_list("renditions", flat=True)
            for rendition in renditions.values()
            if "file" in rendition
        )
    finally:
        made = [pk for pk in Media.objects.values_list("pk", flat=True) if pk not in before]
        DBTaskResult.objects.filter(task_path="media.tasks.make_renditions", enqueued_at__gte=run_started).delete()
        Media.objects.filter(pk__in=made).delete()
        token.delete()
        connection.close()
        shutil.rmtree(media_root, ignore_errors=True)
    ok = statuses.count(201)
    ordered = sorted(latencies)
    return UploadRun(
        uploads=uploads,
        connections=CONNECTIONS,
        file_bytes=len(content),
        seconds=round(seconds, 2),
        per_second=round(ok / seconds, 2),
        megabytes_per_second=round(ok * len(content) / 1e6 / seconds, 2),
        p50_ms=round(statistics.median(ordered) * 1000, 1),
        p95_ms=round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000, 1),
        server_cpu_ms_per_upload=round(cpu * 1000 / max(ok, 1), 1),
        server_worker_rss_idle_mb=round(idle_rss, 1),
        server_worker_rss_mb=round(server_rss["peak"], 1),
        renditions=renditions,
        renditions_seconds=round(rendition_seconds, 2),
        job_worker_rss_mb=round(job_rss, 1),
        failed=uploads - ok,
    )


def _upload_all(port: int, plaintext: str, content: bytes, uploads: int) -> tuple[list[float], list[int]]:
    headers = {
        "Authorization": f"Bearer {plaintext}",
        "Content-Type": "image/jpeg",
        "Content-Disposition": 'attachment; filename="bench photo.jpg"',
        "Content-Length": str(len(content)),
    }
    local = threading.local()

    def upload(_index: int) -> tuple[float, int]:
        if not hasattr(local, "connection"):
            local.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        started = time.monotonic()
        try:
            local.connection.request("POST", "/api/v1/media", body=content, headers=headers)
            response = local.connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            local.connection.close()
            del local.connection
            status = 0
        if status and response.getheader("Connection", "").lower() == "close":
            local.connection.close()
            del local.connection
        return time.monotonic() - started, status

    with ThreadPoolExecutor(max_workers=CONNECTIONS) as pool:
        results = list(pool.map(upload, range(uploads)))
    return [seconds for seconds, _ in results], [status for _, status in results]


@contextlib.contextmanager
def _peak_rss(pids) -> Iterator[dict[str, float]]:
    """Sample the resident memory of ``pids()`` every 20 ms while the block runs; ``peak`` is the largest of one."""
    found = {"peak": 0.0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            for pid in pids():
                found["peak"] = max(found["peak"], load.rss_mb(pid) or 0.0)
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield found
    finally:
        stop.set()
        sampler.join()


def _make_renditions(env: dict[str, str], media_ids: list[int]) -> tuple[float, float]:
    """Run one ``manage.py worker`` until every item of ``media_ids`` has its renditions (or failed ones); the
    seconds it took and the worker's peak RSS."""
    from django.db import connection

    from media import renditions
    from media.models import Media

    expected = len(renditions.specs())
    command = [sys.executable, "manage.py", "worker", "--interval", "0.1", "--no-startup-delay"]
    process = subprocess.Popen(
        command, cwd=load.PROJECT_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    started = time.monotonic()
    try:
        with _peak_rss(lambda: [process.pid]) as rss:
            deadline = started + TIMEOUT_SECONDS
            while time.monotonic() < deadline:
                done = Media.objects.filter(pk__in=media_ids).values_list("renditions", flat=True)
                if all(len(made) >= expected for made in done):
                    break
                time.sleep(0.1)
            seconds = time.monotonic() - started
    finally:
        stop(process)
        connection.close()
    return seconds, rss["peak"]
