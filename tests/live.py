"""PolyCMS as real processes, for tests that need more than the test client: ``gunicorn polycms.wsgi``
and ``manage.py`` on a database of their own, in a production-like environment, and a small HTTP client.

The processes get only the environment ``django_env()`` builds (never the suite's own settings), so
what a test asserts does not depend on the shell that ran pytest.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tests.conftest import is_postgres
from tools.processes import free_port

ROOT = Path(__file__).resolve().parents[1]
STARTUP_SECONDS = 60


def django_env(**extra: str) -> dict[str, str]:
    """Production-like settings (DEBUG off, Secure cookies) minus the HTTPS redirect, for a server
    reached as ``127.0.0.1`` or ``localhost``; ``extra`` adds or overrides variables."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "polycms.settings",
        "DJANGO_SECRET_KEY": "polycms-live-tests-secret-key-not-for-production-0123456789",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "POLYCMS_DOTENV": "0",  # a developer's .env must not reach the servers under test
        **extra,
    }


def manage(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """Run ``manage.py *args`` in ``env`` and return its stdout; RuntimeError with its stderr if it fails."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {args[0]} failed ({result.returncode}):\n{result.stderr[-4000:]}")
    return result.stdout


def superuser_token(env: dict[str, str], secret_file: Path, username: str) -> str:
    """Create superuser ``username`` with an all-abilities token and return the plaintext."""
    script = (
        "from django.contrib.auth import get_user_model\n"
        "from tokens.services import token_create\n"
        f"user = get_user_model().objects.create_superuser({username!r}, '{username}@example.com', None)\n"
        "_, plaintext = token_create(owner=user, name='live test')\n"
    )
    return shell_plaintext(env, secret_file, script)


def shell_plaintext(env: dict[str, str], secret_file: Path, script: str) -> str:
    """Run ``script`` in ``manage.py shell``, where it sets ``plaintext`` (a token's, made there), and return
    that plaintext, passed through the private file ``secret_file`` so it never reaches a process listing or
    a log."""
    script += (
        "from pathlib import Path\n"
        f"path = Path({str(secret_file)!r})\n"
        "path.touch(mode=0o600)\n"
        "path.write_text(plaintext)\n"
    )
    manage(env, "shell", "-c", script)
    plaintext = secret_file.read_text()
    secret_file.unlink()
    return plaintext


@contextmanager
def live_database(label: str, directory: Path) -> Iterator[str]:
    """A ``DATABASE_URL`` for an empty database of its own: a SQLite file in ``directory``, or, when the
    suite runs on PostgreSQL, a database created next to the suite's (and dropped afterwards)."""
    if not is_postgres():
        yield f"sqlite:///{directory / f'{label}.sqlite3'}"
        return
    import psycopg

    url = urlsplit(os.environ["DATABASE_URL"])
    name = f"{url.path.lstrip('/') or 'polycms'}_{label}_{os.getpid()}"
    admin_dsn = url._replace(path="/postgres").geturl()  # libpq takes postgres:// URLs as they are
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class HttpResult:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes
    elapsed: float  # seconds from connecting to the end of the body
    started: float  # time.monotonic() when the request began

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def json(self) -> dict:
        return json.loads(self.body)


def http_request(
    url: str,
    method: str = "GET",
    *,
    token: str | None = None,
    headers: dict[str, str] | None = None,
    body: dict | None = None,
    timeout: float = 30,
) -> HttpResult:
    """One request with ``body`` sent as JSON, a bearer ``token`` and only the cookies given in ``headers``.
    An HTTP error status is a result, not an exception, and redirects are not followed; network
    failures raise OSError."""
    parts = urlsplit(url)
    payload = json.dumps(body).encode() if body is not None else None
    sent = {
        "Accept": "application/json",
        **({"Content-Type": "application/json"} if payload is not None else {}),
        **({"Authorization": f"Bearer {token}"} if token else {}),
        **(headers or {}),
    }
    started = time.monotonic()
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), payload, sent)
        response = connection.getresponse()
        received = {name.lower(): value for name, value in response.getheaders()}
        return HttpResult(response.status, received, response.read(), time.monotonic() - started, started)
    finally:
        connection.close()


class Gunicorn:
    """``gunicorn polycms.wsgi`` with sync workers, as ``make serve`` runs it, bound to 127.0.0.1 on a free
    port and reached at ``url`` (``host`` may be ``localhost``: one site with frontends there)."""

    def __init__(self, env: dict[str, str], *, log_file: Path, host: str = "127.0.0.1") -> None:
        self.env = env  # the whole environment: not for failure reports
        self.log_file = log_file
        self.port = free_port()
        self.url = f"http://{host}:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, *args: str, workers: int = 2) -> Gunicorn:
        """Start ``workers`` workers (``args`` go to gunicorn) and return once /api/v1/health answers 200
        and every worker is forked; RuntimeError with the server's log if it does not come up."""
        command = [sys.executable, "-m", "gunicorn", "polycms.wsgi", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--workers", str(workers), "--graceful-timeout", "5", *args]
        with self.log_file.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        status, deadline = None, time.monotonic() + STARTUP_SECONDS
        while status is None and self.process.poll() is None and time.monotonic() < deadline:
            try:
                status = http_request(f"{self.url}/api/v1/health", timeout=5).status
            except OSError:
                time.sleep(0.1)  # not listening yet: a subprocess's start-up has no event to wait on
        # Workers replaced after each request (--max-requests 1) are briefly fewer: wait, sending nothing.
        while status == 200 and len(self.worker_pids()) != workers and time.monotonic() < deadline:
            time.sleep(0.1)
        if status != 200 or len(self.worker_pids()) != workers:
            failure = f"gunicorn did not come up (exit code {self.process.poll()}, health {status})"
            self.stop()
            raise RuntimeError(f"{failure}:\n{self.log()[-4000:]}")
        return self

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
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        return self.log_file.read_text(errors="replace")
