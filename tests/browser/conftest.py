"""Real-browser fixtures: PolyCMS under gunicorn on its own database, static frontends on other origins,
and Debian's Chromium driven by Playwright.

Origins: the API is ``http://localhost:<api>``, the allowed frontend ``http://localhost:<allowed>``
and a refused one ``http://localhost:<refused>``: one site (so SameSite=Lax cookies travel with
``credentials: "include"``), different origins (so CORS decides who may read). Chromium treats
``http://localhost`` as a secure context and keeps the ``Secure`` cookies that production settings set.

The server cannot see pytest-django's test database, so it gets its own (``tests.live.live_database``).
Everything is package-scoped and stopped when this package's tests end: while Playwright runs, its event loop
makes Django's ORM refuse to work in this process.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.live import Gunicorn, django_env, live_database, manage

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
TIMEOUT_MS = 15_000

# A staff user with no particular permission (enough for their own tokens: tokens.policies), and an Author.
USERS_SCRIPT = f"""
from django.contrib.auth.models import Group, User
User.objects.create_user({STAFF!r}, "{STAFF}@example.com", {PASSWORD!r}, is_staff=True)
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


# ---------------------------------------------------------------------------- the live server


def leaks(server: Gunicorn, plaintext: str) -> list[str]:
    """Where the server kept a token's plaintext: a text column of its database (the suite's secrets
    guard, run on the server's database), a session, or its log. Empty when nowhere."""
    found = manage(server.env, "shell", "-c", LEAKS_SCRIPT, stdin=plaintext).strip().splitlines()[-1]
    return [*json.loads(found), *(["server log"] if plaintext[5:45] in server.log() else [])]


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


@pytest.fixture(scope="package")
def api_server(frontends, tmp_path_factory) -> Iterator[Gunicorn]:
    """PolyCMS under gunicorn (2 workers) at ``http://localhost:<port>``, migrated, static files
    collected, with users ``stella`` (staff, may manage her tokens) and ``ann`` (Author)."""
    workdir = tmp_path_factory.mktemp("live-server")
    with live_database("browser", workdir) as database_url:
        env = django_env(
            DATABASE_URL=database_url,
            DJANGO_STATIC_ROOT=str(workdir / "static"),
            DJANGO_CORS_ALLOWED_ORIGINS=frontends["allowed"],
            DJANGO_CSRF_TRUSTED_ORIGINS=frontends["allowed"],
            # Uploads in the test's own directory, served by Django as `make serve` does (README "Media").
            DJANGO_MEDIA_ROOT=str(workdir / "media"),
            DJANGO_MEDIA_SERVE="1",
        )
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        manage(env, "shell", "-c", USERS_SCRIPT)
        server = Gunicorn(env, log_file=workdir / "gunicorn.log", host="localhost").start(workers=2)
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
