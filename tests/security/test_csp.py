"""Attack: script injected into a page we serve (a stored value rendered unescaped, a compromised template)
runs with the admin's session. Defence: a Content-Security-Policy on every response that allows scripts
only as files from this origin, styles only from this origin or in a ``<style>`` carrying the response's
nonce, and no framing; and pages whose own markup keeps to it (no inline script, handler or style
attribute), so the policy costs them nothing.

tests/browser/test_csp.py shows the same in Chromium: the pages work and an injected script does not run.
"""

from __future__ import annotations

from html.parser import HTMLParser
from http import HTTPStatus

import pytest
from django.test import Client

from tests.tokens.test_admin import create_through_admin

pytestmark = pytest.mark.django_db

HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # what a browser asks for

# Pages a person opens in a browser: (path, who is signed in).
HTML_PAGES = [
    ("/admin/login/", None),
    ("/admin/", "admin"),
    ("/admin/tokens/personalaccesstoken/", "admin"),
    ("/admin/tokens/personalaccesstoken/add/", "admin"),
    ("/admin/posts/post/", "admin"),
    ("/admin/posts/post/add/", "admin"),
    ("/admin/auth/user/", "admin"),
    ("/api/v1/docs/", None),
    ("/api/v1/posts", "admin"),  # DRF's browsable API
    ("/api/v1/user", "admin"),
    ("/api/v1/tokens", "admin"),
]


def policy_of(response) -> dict[str, list[str]]:
    """The enforced ``Content-Security-Policy`` as ``{directive: [sources]}``."""
    assert "Content-Security-Policy" in response, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = (part.split() for part in response["Content-Security-Policy"].split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def nonce_of(policy: dict[str, list[str]]) -> str | None:
    nonces = [source[len("'nonce-") : -1] for source in policy.get("style-src", []) if source.startswith("'nonce-")]
    return nonces[0] if nonces else None


class InlineCode(HTMLParser):
    """What a page would run or apply inline: ``<script>`` without ``src``, ``on*=`` handlers, ``style=``
    attributes, ``<style>`` elements (with their nonce) and ``javascript:`` links."""

    def __init__(self) -> None:
        super().__init__()
        self.inline_scripts: list[str] = []
        self.handlers: list[str] = []
        self.style_attributes: list[str] = []
        self.style_nonces: list[str | None] = []
        self.javascript_urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes and attributes.get("type") != "application/json":
            self.inline_scripts.append(self.get_starttag_text() or tag)
        if tag == "style":
            self.style_nonces.append(attributes.get("nonce"))
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}>")
            elif name == "style":
                self.style_attributes.append(f"<{tag} style={value!r}>")
            elif name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.javascript_urls.append(f"<{tag} {name}={value!r}>")


def inline_code(response) -> InlineCode:
    parser = InlineCode()
    parser.feed(response.content.decode())
    parser.close()
    return parser


@pytest.fixture
def browser_as(admin_user):
    def make(who: str | None) -> Client:
        client = Client(HTTP_ACCEPT=HTML)
        if who == "admin":
            client.force_login(admin_user)
        return client

    return make


@pytest.mark.parametrize(("path", "who"), HTML_PAGES)
def test_every_html_page_allows_only_scripts_and_styles_of_this_origin(browser_as, path, who):
    response = browser_as(who).get(path)

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/html")
    policy = policy_of(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] in (["'self'"], ["'self'", f"'nonce-{nonce_of(policy)}'"])
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.parametrize(("path", "who"), HTML_PAGES)
def test_html_pages_keep_to_the_policy_they_are_sent_with(browser_as, path, who):
    response = browser_as(who).get(path)

    found = inline_code(response)
    assert found.inline_scripts == []
    assert found.handlers == []
    assert found.style_attributes == []
    assert found.javascript_urls == []
    nonce = nonce_of(policy_of(response))
    assert all(style_nonce is not None and style_nonce == nonce for style_nonce in found.style_nonces)


def test_the_page_that_shows_a_new_token_keeps_to_the_policy(admin_user):
    client = Client(HTTP_ACCEPT=HTML)
    client.force_login(admin_user)

    response = create_through_admin(client)

    assert response.status_code == HTTPStatus.OK
    assert 'id="new-token"' in response.content.decode()
    assert policy_of(response)["script-src"] == ["'self'"]
    found = inline_code(response)
    assert (found.inline_scripts, found.handlers, found.style_attributes) == ([], [], [])
    assert "/static/tokens/token_created.js" in response.content.decode()  # the Copy button, as a file


def test_swagger_ui_gets_its_init_script_as_a_file_of_this_origin():
    page = Client(HTTP_ACCEPT=HTML).get("/api/v1/docs/")
    found = [line for line in page.content.decode().splitlines() if "<script" in line and "?script" in line]
    assert found == ['    <script src="/api/v1/docs/?script="></script>']

    script = Client().get("/api/v1/docs/?script=")

    assert script.status_code == HTTPStatus.OK
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()


def test_redoc_may_inject_styles_but_runs_only_scripts_of_this_origin():
    response = Client(HTTP_ACCEPT=HTML).get("/api/v1/redoc/")

    assert response.status_code == HTTPStatus.OK
    policy = policy_of(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]  # Redoc's styled-components, before any nonce
    assert policy["worker-src"] == ["'self'", "blob:"]  # Redoc's search index
    assert policy["frame-ancestors"] == ["'none'"]
    found = inline_code(response)
    assert (found.inline_scripts, found.handlers) == ([], [])
    assert "fonts.googleapis.com" not in response.content.decode()


def test_a_style_nonce_is_new_on_every_response_and_only_where_a_page_uses_one(browser_as):
    client = browser_as("admin")

    first, second = (nonce_of(policy_of(client.get("/admin/posts/post/add/"))) for _ in range(2))

    assert first and second and first != second
    assert len(first) >= 22  # 128 random bits, base64
    assert nonce_of(policy_of(client.get("/admin/"))) is None


@pytest.mark.parametrize(
    ("path", "status"), [("/api/v1/health", HTTPStatus.OK), ("/api/v1/nope", HTTPStatus.NOT_FOUND)]
)
def test_json_responses_carry_the_policy_too(path, status):
    response = Client().get(path)

    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert policy_of(response)["script-src"] == ["'self'"]
    assert policy_of(response)["frame-ancestors"] == ["'none'"]
