"""The load side: gunicorn serving the bench settings, wrk driving it, and the parsing of wrk's report."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import psycopg

from tools.processes import free_port

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parents[1]
GET_SCRIPT = BENCH_DIR / "get.lua"
POST_SCRIPT = BENCH_DIR / "post.lua"
# Where tools/bench/post.lua puts each request's title in a POST body template.
TITLE_PLACEHOLDER = "@TITLE@"


# ---------------------------------------------------------------------------- wrk


def ensure_wrk() -> str:
    """Path of the ``wrk`` binary, installing the Debian package when it is missing (needs root)."""
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is not installed; trying `apt-get install -y wrk` …", file=sys.stderr)
    sudo = ["sudo", "-n"] if os.geteuid() != 0 and shutil.which("sudo") else []
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}

    def apt_get(*arguments: str) -> bool:
        command = [*sudo, "apt-get", "-q", *arguments]
        return subprocess.run(command, stdout=subprocess.DEVNULL, env=env, check=False).returncode == 0

    try:
        # Stale package lists are the usual reason an install fails: refresh them once and retry.
        installed = apt_get("install", "-y", "wrk") or (apt_get("update") and apt_get("install", "-y", "wrk"))
    except OSError:
        installed = False
    found = shutil.which("wrk")
    if not installed or not found:
        raise SystemExit(
            "wrk is required and could not be installed automatically. Install it with "
            "`sudo apt-get install wrk` (Debian/Ubuntu) or from https://github.com/wg/wrk, then rerun."
        )
    return found


@dataclass(frozen=True)
class WrkResult:
    """One wrk run. Latencies in milliseconds; CPU in milliseconds per request, filled in by ``CpuMeter``
    (gunicorn's workers and the PostgreSQL backends serving them), when measured. ``statuses`` counts the
    responses by status (from the wrk script); ``unexpected`` is how many had another status than the
    target's, ``non_2xx`` wrk's own count of statuses >= 400."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: int
    statuses: dict[int, int] = field(default_factory=dict)
    unexpected: int = 0
    app_cpu_ms: float | None = None
    db_cpu_ms: float | None = None

    @property
    def errors(self) -> int:
        """Answers that make the run void: any status but the expected one, and socket errors."""
        return max(self.unexpected, self.non_2xx) + self.socket_errors


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_PERCENTILE = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_REQUESTS = re.compile(r"^\s*(\d+) requests in ", re.MULTILINE)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_STATUS = re.compile(r"^status (\d+) (\d+)$", re.MULTILINE)


def parse_wrk(output: str, expect: int = 200) -> WrkResult:
    """Requests/sec, the p50 and p99 of the "Latency Distribution" block, the error counts, and the
    responses by status (``status <code> <count>`` lines of the wrk script) checked against ``expect``.
    Without status lines every response counts as unexpected: nothing says they were right."""
    percentiles = {int(p): float(value) * _UNITS_MS[unit] for p, value, unit in _PERCENTILE.findall(output)}
    rps, requests = _RPS.search(output), _REQUESTS.search(output)
    if rps is None or requests is None or set(percentiles) != {50, 99}:
        raise ValueError(f"Unrecognised wrk output:\n{output}")
    non_2xx = _NON_2XX.search(output)
    sockets = _SOCKET.search(output)
    statuses = {int(code): int(n) for code, n in _STATUS.findall(output)}
    total = int(requests.group(1))
    return WrkResult(
        requests_per_second=float(rps.group(1)),
        p50_ms=percentiles[50],
        p99_ms=percentiles[99],
        requests=total,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(map(int, sockets.groups())) if sockets else 0,
        statuses=statuses,
        unexpected=sum(n for code, n in statuses.items() if code != expect) if statuses else total,
    )


def run_wrk(
    url: str,
    *,
    duration: float,
    connections: int,
    threads: int = 1,
    headers: dict[str, str] | None = None,
    expect: int = 200,
    body_template: str | None = None,
    title_prefix: str = "wrk",
) -> WrkResult:
    """Load ``url`` for ``duration`` seconds and return wrk's figures, every response's status checked
    against ``expect``. ``headers`` (credentials among them) reach wrk's Lua script through the
    environment. With ``body_template`` (a JSON body with ``TITLE_PLACEHOLDER`` where the title goes) wrk
    POSTs it through ``tools/bench/post.lua``, each request with a fresh title that starts with
    ``title_prefix``; without, it GETs."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration:g}s", "--latency", "--timeout", "10s"]
    env = {
        **os.environ,
        "BENCH_LUA_DIR": str(BENCH_DIR),
        "BENCH_HEADERS": "\n".join(f"{name}: {value}" for name, value in (headers or {}).items()),
    }
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", prefix="bench-body-", suffix=".json") as body_file:
        if body_template is None:
            command += ["-s", str(GET_SCRIPT), url]
        else:
            body_file.write(body_template)
            body_file.flush()
            command += ["-s", str(POST_SCRIPT), url, "--", title_prefix, body_file.name]
        completed = subprocess.run(command, capture_output=True, text=True, env=env, timeout=duration + 60, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr or completed.stdout}")
    return parse_wrk(completed.stdout, expect)


# ---------------------------------------------------------------------------- gunicorn


class GunicornServer:
    """``gunicorn polycms.wsgi`` with the bench settings and ``tools/bench/gunicorn_conf.py``, on a free port
    of 127.0.0.1, as a context manager. Its log goes to ``log_path``."""

    def __init__(self, *, env: dict[str, str], workers: int, log_path: Path) -> None:
        self.env, self.workers, self.log_path = env, workers, log_path
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> GunicornServer:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "polycms.wsgi",
            "--config",
            str(BENCH_DIR / "gunicorn_conf.py"),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
        ]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(command, cwd=PROJECT_DIR, env=self.env, stdout=self._log, stderr=self._log)
        try:
            self._wait_until_ready()
        except BaseException:  # not ready, or the run is stopped meanwhile: no gunicorn left behind
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def _wait_until_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/bench/ceiling", timeout=2) as response:
                    if response.status == 200 and len(self.worker_pids()) == self.workers:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not become ready in {timeout:.0f}s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        """The master's child processes: the workers."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        if children.exists():
            return [int(p) for p in children.read_text().split()]
        return [p for p in _all_pids() if _parent_pid(p) == pid]

    def worker_rss_mb(self) -> dict[int, float]:
        """Resident memory (VmRSS, MB) of each worker."""
        return {pid: rss for pid in self.worker_pids() if (rss := rss_mb(pid)) is not None}


class CpuMeter:
    """CPU time used by one server's gunicorn workers and by the PostgreSQL backends connected to its
    database. Less sensitive than req/s to other processes competing for the cores: it counts the work
    a request costs, not how long it waited for a core."""

    def __init__(self, server: GunicornServer, database: str, monitor: psycopg.Connection) -> None:
        self.server, self.database, self.monitor = server, database, monitor

    def snapshot(self) -> tuple[dict[int, float], dict[int, float]]:
        """CPU seconds so far of each worker, and of each database backend, by pid."""
        rows = self.monitor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'",
            [self.database],
        ).fetchall()
        return cpu_seconds(self.server.worker_pids()), cpu_seconds([pid for (pid,) in rows])

    def measure(self, run: Callable[[], WrkResult]) -> WrkResult:
        """``run()``'s result with the CPU per request spent while it ran."""
        app_before, db_before = self.snapshot()
        result = run()
        app_after, db_after = self.snapshot()
        per_request = 1000 / max(result.requests, 1)
        return replace(
            result,
            app_cpu_ms=_spent(app_before, app_after) * per_request,
            db_cpu_ms=_spent(db_before, db_after) * per_request,
        )


def _spent(before: dict[int, float], after: dict[int, float]) -> float:
    # A process that appeared during the run (a new database connection) counts from zero.
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """utime + stime of each live process in ``pids``, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    seconds = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        seconds[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return seconds


def _all_pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def _parent_pid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def rss_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else None
