"""Real-browser fixtures: PolyCMS under gunicorn on its own database, static frontends on other origins,
and Debian's Chromium driven by Playwright.

Origins: the API is ``http://localhost:<api>``, the allowed frontend ``http://localhost:<allowed>``
and a refused one ``http://localhost:<refused>``: one site (so SameSite=Lax cookies travel with
``credentials: "include"``), different origins (so CORS decides who may read). Chromium treats
``http://localhost`` as a secure context and keeps the ``Secure`` cookies that production settings set.

The server cannot see pytest-django's test database, so it gets its own: a migrated SQLite file, or a
dedicated PostgreSQL database (dropped afterwards) when ``DATABASE_URL`` is PostgreSQL. Everything
is package-scoped and stopped when this package's tests end: while Playwright runs, its event loop
makes Django's ORM refuse to work in this process.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import is_postgres

ROOT = Path(__file__).resolve().parents[2]
PAGES = Path(__file__).parent / "pages"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery staple"
STAFF, AUTHOR = "stella", "ann"
STARTUP_SECONDS = 60
TIMEOUT_MS = 15_000

# A staff user with the token permissions the admin gives staff (not a superuser), and an Author.
USERS_SCRIPT = f"""
from django.contrib.auth.models import Group, Permission, User
staff = User.objects.create_user({STAFF!r}, "{STAFF}@example.com", {PASSWORD!r}, is_staff=True)
staff.user_permissions.add(*Permission.objects.filter(
    content_type__app_label="tokens", codename__in=["add_personalaccesstoken", "view_personalaccesstoken"]))
User.objects.create_user({AUTHOR!r}, "{AUTHOR}@example.com", {PASSWORD!r}).groups.add(Group.objects.get(name="Author"))
"""

LEAKS_SCRIPT = """
import json, sys
from django.contrib.sessions.models import Session
from tests.secrets_guard import leaks_in_database
plaintext = sys.stdin.read().strip()
leaks = leaks_in_database([plaintext])
# Session data is stored signed and encoded, out of reach of a scan of the raw columns.
leaks += ["session" for s in Session.objects.all() if plaintext[5:45] in json.dumps(s.get_decoded(), default=str)]
print(json.dumps(leaks))
"""


# ---------------------------------------------------------------------------- HTTP from the test itself


@dataclass
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


def http_request(url: str, method: str = "GET", headers: dict | None = None, body: dict | None = None) -> HttpResponse:
    """One request outside the browser; it sends only the cookies given in ``headers``."""
    parts = urlsplit(url)
    payload = json.dumps(body).encode() if body is not None else None
    sent = {
        "Accept": "application/json",
        **({"Content-Type": "application/json"} if payload else {}),
        **(headers or {}),
    }
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), payload, sent)
        response = connection.getresponse()
        return HttpResponse(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def bearer_get(url: str, plaintext: str) -> HttpResponse:
    return http_request(url, headers={"Authorization": f"Bearer {plaintext}"})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------------------- the live server


@dataclass
class LiveServer:
    """A gunicorn serving PolyCMS at ``url``; ``manage()`` runs manage.py against the same database."""

    url: str
    env: dict[str, str] = field(repr=False)  # the whole environment: not for failure reports
    log: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    def manage(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def start(self, *gunicorn_args: str) -> None:
        """Start gunicorn and return once /api/v1/health answers."""
        port = urlsplit(self.url).port
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "polycms.wsgi", "--bind", f"127.0.0.1:{port}", *gunicorn_args],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited with {self.process.returncode}:\n{self.server_log()[-4000:]}")
            try:
                health = http_request(f"{self.url}/api/v1/health").status
            except OSError:
                time.sleep(0.1)  # not listening yet: a subprocess's start-up has no event to wait on
                continue
            if health == 200:
                return
            self.stop()
            pytest.fail(f"gunicorn answers /api/v1/health with {health}:\n{self.server_log()[-4000:]}")
        self.stop()
        pytest.fail(f"gunicorn did not answer within {STARTUP_SECONDS}s:\n{self.server_log()[-4000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def server_log(self) -> str:
        return self.log.read_text(errors="replace")

    def leaks(self, plaintext: str) -> list[str]:
        """Where the server kept a token's plaintext: a text column of its database (the suite's secrets
        guard, run on the server's database), a session, or its log. Empty when nowhere."""
        found = self.manage("shell", "-c", LEAKS_SCRIPT, stdin=plaintext).strip().splitlines()[-1]
        return [*json.loads(found), *(["server log"] if plaintext[5:45] in self.server_log() else [])]


@pytest.fixture(scope="package")
def live_database(tmp_path_factory) -> Iterator[dict[str, str]]:
    """Environment pointing the live server at a database of its own, created for this run."""
    if not is_postgres():
        yield {"POLYCMS_LIVE_SQLITE": str(tmp_path_factory.mktemp("live-db") / "polycms.sqlite3")}
        return
    import psycopg

    url = urlsplit(os.environ["DATABASE_URL"])
    name = f"polycms_browser_{os.getpid()}"
    admin_dsn = url._replace(path="/postgres").geturl()  # libpq takes postgres:// URLs as they are
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"DATABASE_URL": url._replace(path=f"/{name}").geturl()}
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="package")
def frontends() -> Iterator[dict[str, str]]:
    """Static servers for tests/browser/pages: ``{"allowed": origin, "refused": origin}``."""
    servers = {}
    for role in ("allowed", "refused"):
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(PAGES)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers[role] = server
    yield {role: f"http://localhost:{server.server_address[1]}" for role, server in servers.items()}
    for server in servers.values():
        server.shutdown()
        server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


def live_server_env(database: dict[str, str], static_root: Path, frontend_origin: str) -> dict[str, str]:
    """Production-like settings (DEBUG off, Secure cookies) minus the HTTPS redirect."""
    inherited = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "tests.browser.live_settings",
        "DJANGO_SECRET_KEY": "polycms-browser-tests-secret-key-not-for-production-0123456789",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_CORS_ALLOWED_ORIGINS": frontend_origin,
        "DJANGO_CSRF_TRUSTED_ORIGINS": frontend_origin,
        "POLYCMS_LIVE_STATIC_ROOT": str(static_root),
        **database,
    }


@pytest.fixture(scope="package")
def api_server(live_database, frontends, tmp_path_factory) -> Iterator[LiveServer]:
    """PolyCMS under gunicorn (2 workers) at ``http://localhost:<port>``, migrated, static files
    collected, with users ``stella`` (staff, may manage her tokens) and ``ann`` (Author)."""
    workdir = tmp_path_factory.mktemp("live-server")
    server = LiveServer(
        url=f"http://localhost:{free_port()}",
        env=live_server_env(live_database, workdir / "static", frontends["allowed"]),
        log=workdir / "gunicorn.log",
    )
    server.manage("migrate", "--noinput")
    server.manage("collectstatic", "--noinput", "--verbosity", "0")
    server.manage("shell", "-c", USERS_SCRIPT)
    server.start("--workers", "2")
    yield server
    server.stop()


# ---------------------------------------------------------------------------- the browser


def session_cookie(page, api_url: str) -> dict | None:
    return next((c for c in page.context.cookies(api_url) if c["name"] == "sessionid"), None)


def sign_in_through_frontend(page, expect, api_url: str, frontend: str, login: str = AUTHOR) -> None:
    """Open the frontend page on ``frontend`` and sign in there as ``login``."""
    page.goto(f"{frontend}/spa.html?api={api_url}")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    expect(page.locator("#whoami")).to_contain_text(f"Signed in as {login}")


@pytest.fixture(scope="package")
def chromium():
    """Debian's Chromium, headless, through Playwright (whose own browser download cannot work here)."""
    if not CHROMIUM.exists():
        pytest.skip(f"needs Chromium at {CHROMIUM}: apt-get install chromium")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        pytest.skip("needs Chromium driven by Playwright: pip install playwright")
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def expect(chromium):
    """Playwright's ``expect`` (auto-waiting assertions), once Chromium is known to be there."""
    from playwright.sync_api import expect

    return expect


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1440, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()
