"""Flow 3: a page on an origin that is not allowed cannot read the API with the user's cookies, while
the same page on the allowed origin can."""

import pytest

from tests.browser.conftest import session_cookie, sign_in_through_frontend
from tests.live import http_request

pytestmark = pytest.mark.browser

PROBE = "([url, init]) => probe(url, init)"
REFUSED = {"read": False, "error": "TypeError: Failed to fetch"}


def test_refused_origin_cannot_read_the_api_with_the_users_cookies(page, expect, api_server, frontends, tmp_path):
    api = api_server.url
    sign_in_through_frontend(page, expect, api, frontends["allowed"])  # the browser now holds a session
    cookie = session_cookie(page, api)

    page.goto(f"{frontends['allowed']}/probe.html")
    allowed = page.evaluate(PROBE, [f"{api}/api/v1/user", {}])
    assert allowed["read"] and allowed["status"] == 200 and '"username":"ann"' in allowed["body"]

    page.goto(f"{frontends['refused']}/probe.html")
    assert page.evaluate(PROBE, [f"{api}/api/v1/user", {}]) == REFUSED
    assert page.evaluate(PROBE, [f"{api}/api/v1/posts", {}]) == REFUSED
    write = {"method": "POST", "headers": {"Content-Type": "application/json"}, "body": '{"title": "Not allowed"}'}
    assert page.evaluate(PROBE, [f"{api}/api/v1/posts", write]) == REFUSED
    expect(page.locator("#results li")).to_have_count(3)
    page.screenshot(path=tmp_path / "cors_flow.png", full_page=True)

    # The write was stopped at the preflight: it never reached the API.
    posts = http_request(f"{api}/api/v1/posts", headers={"Cookie": f"sessionid={cookie['value']}"}).json()["data"]
    assert "Not allowed" not in [post["title"] for post in posts]
