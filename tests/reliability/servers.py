"""Real processes for the reliability tests: a private PostgreSQL cluster and a gunicorn serving PolyCMS.

``PrivateCluster`` runs PostgreSQL's own binaries as the ``postgres`` OS user (initdb refuses root) in a
temporary directory, on 127.0.0.1 and a free port, so a test may stop and start it without touching
the shared server. ``Gunicorn`` runs ``polycms.wsgi`` the way production does.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PG_USER = "postgres"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bindir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<major>/bin`` holding initdb and pg_ctl, or None."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda path: int(path.parent.name), reverse=True)
    for bindir in candidates:
        if (bindir / "initdb").exists() and (bindir / "pg_ctl").exists():
            return bindir
    return None


def missing_postgres_tools() -> str | None:
    """Why a private cluster cannot run here, or None when it can."""
    if postgres_bindir() is None:
        return "needs PostgreSQL binaries (initdb, pg_ctl under /usr/lib/postgresql/<major>/bin)"
    if shutil.which("runuser") is None:
        return "needs PostgreSQL binaries run as the postgres OS user: runuser is missing"
    try:
        import pwd

        pwd.getpwnam(PG_USER)
    except KeyError:
        return "needs PostgreSQL binaries run as the postgres OS user, which does not exist"
    return None


@dataclass
class PrivateCluster:
    """A throwaway PostgreSQL cluster: trust auth on 127.0.0.1 only, fsync off, its socket in its own dir."""

    root: Path
    port: int = field(default_factory=free_port)
    bindir: Path = field(default_factory=lambda: postgres_bindir())

    @classmethod
    def create(cls) -> PrivateCluster:
        # Not pytest's tmp_path: its parent is private to root, and the server runs as postgres.
        root = Path(tempfile.mkdtemp(prefix="polycms-pg-"))
        shutil.chown(root, PG_USER, PG_USER)
        cluster = cls(root=root)
        cluster._run("initdb", "-D", str(cluster.data_dir), "-A", "trust", "-U", PG_USER, "-E", "UTF8", "--no-sync")
        return cluster

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str) -> str:
        return f"postgres://{PG_USER}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = f"-p {self.port} -h 127.0.0.1 -k {self.root} -c fsync=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file), "-o", options, "-w", "start")

    def stop(self) -> None:
        """Fast shutdown: open sessions are cut, as when the server or its host goes away."""
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")

    def is_running(self) -> bool:
        status = subprocess.run(
            self._command("pg_ctl", "-D", str(self.data_dir), "status"), capture_output=True, cwd=self.root
        )
        return status.returncode == 0

    def create_database(self, name: str) -> None:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", PG_USER, name)

    def destroy(self) -> None:
        if self.is_running():
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def _command(self, program: str, *args: str) -> list[str]:
        return ["runuser", "-u", PG_USER, "--", str(self.bindir / program), *args]

    def _run(self, program: str, *args: str) -> None:
        result = subprocess.run(
            self._command(program, *args), capture_output=True, text=True, cwd=self.root, timeout=60
        )
        if result.returncode != 0:
            raise RuntimeError(f"{program} failed ({result.returncode}): {result.stderr or result.stdout}")


def django_env(**extra: str) -> dict[str, str]:
    """A production-like environment for PolyCMS processes (DEBUG off), without the caller's settings."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "polycms.settings",
        "DJANGO_SECRET_KEY": "polycms-reliability-tests-secret-key-not-for-production-0123456789",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        **extra,
    }


def manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", *args], env=env, cwd=BASE_DIR, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {args[0]} failed: {result.stderr[-2000:]}")


def create_superuser_token(env: dict[str, str], secret_file: Path) -> str:
    """Create a superuser with an all-abilities token; return the plaintext, passed through a private file
    so it never reaches a process listing or a log."""
    script = (
        "from django.contrib.auth import get_user_model\n"
        "from pathlib import Path\n"
        "from tokens.services import token_create\n"
        "user = get_user_model().objects.create_superuser('outage', 'outage@example.com', None)\n"
        "_, plaintext = token_create(owner=user, name='outage test')\n"
        f"path = Path({str(secret_file)!r})\n"
        "path.touch(mode=0o600)\n"
        "path.write_text(plaintext)\n"
    )
    manage(env, "shell", "-c", script)
    plaintext = secret_file.read_text()
    secret_file.unlink()
    return plaintext


@dataclass
class HttpResult:
    status: int
    content_type: str
    body: bytes
    elapsed: float
    started: float

    def json(self) -> dict:
        return json.loads(self.body)


def http_get(url: str, *, token: str | None = None, timeout: float = 30) -> HttpResult:
    """GET ``url``; an HTTP error status is a result, not an exception. Network failures raise."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, headers, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, error.headers, error.read()
    return HttpResult(status, headers.get("Content-Type", ""), body, time.monotonic() - started, started)


class Gunicorn:
    """``gunicorn polycms.wsgi`` with sync workers, as ``make serve`` runs it."""

    def __init__(self, env: dict[str, str], *, workers: int = 2, log_file: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._log = log_file.open("wb")
        command = [
            str(VENV_BIN / "gunicorn"),
            "polycms.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--graceful-timeout",
            "5",
        ]
        self.process = subprocess.Popen(command, env=env, cwd=BASE_DIR, stdout=self._log, stderr=subprocess.STDOUT)
        self.workers = workers

    def wait_until_serving(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                http_get(f"{self.base_url}/api/v1/health", timeout=2)
            except OSError:
                time.sleep(0.1)  # polling for the listening socket, not waiting out a duration
                continue
            if len(self.worker_pids()) == self.workers:
                return
        raise TimeoutError("gunicorn did not start serving")

    def worker_pids(self) -> set[int]:
        """PIDs of the master's children (its workers), read from /proc."""
        children = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # the process ended while we looked
            if int(fields[1]) == self.process.pid:
                children.add(int(stat.parent.name))
        return children

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()
