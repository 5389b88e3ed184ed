"""Flow 2: a headless frontend on another, allowed origin signs in with the session cookie and the
CSRF token, reads the user, creates a post and a token, and signs out."""

import re

import pytest

from tests.browser.conftest import AUTHOR, leaks, session_cookie, sign_in_through_frontend
from tests.live import http_request

pytestmark = pytest.mark.browser


def test_frontend_on_an_allowed_origin_signs_in_writes_and_signs_out(page, expect, api_server, frontends, tmp_path):
    api = api_server.url
    sign_in_through_frontend(page, expect, api, frontends["allowed"])
    expect(page.locator("#whoami")).to_have_text(f"Signed in as {AUTHOR} (Author)")
    cookie = session_cookie(page, api)
    assert cookie is not None, "Chromium did not keep the Secure session cookie on http://localhost"
    assert (cookie["secure"], cookie["httpOnly"], cookie["sameSite"]) == (True, True, "Lax")

    page.fill("#post-title", "Hello from the frontend")
    page.click("button:has-text('Create draft')")
    expect(page.locator("#status")).to_have_text(re.compile(r"Created post #\d+ “Hello from the frontend”"))

    page.fill("#token-name", "Frontend CLI")
    page.click("button:has-text('Create API token')")
    expect(page.locator("#status")).to_contain_text("Created token “Frontend CLI”")
    plaintext = page.locator("#token-plaintext").inner_text()
    me = http_request(f"{api}/api/v1/user", token=plaintext)
    assert me.status == 200 and me.json()["data"]["token"]["name"] == "Frontend CLI"
    posts = http_request(f"{api}/api/v1/posts", token=plaintext).json()["data"]
    assert [post["title"] for post in posts] == ["Hello from the frontend"]

    page.click("#sign-out")
    expect(page.locator("#status")).to_have_text("Signed out: /api/v1/user answers 401 not_authenticated")
    assert session_cookie(page, api) is None
    replayed = http_request(f"{api}/api/v1/user", headers={"Cookie": f"sessionid={cookie['value']}"})
    assert replayed.status == 401, "the session must end on the server, not only in the browser"
    page.screenshot(path=tmp_path / "spa_flow.png", full_page=True)
    assert leaks(api_server, plaintext) == []
