"""Flow 1: in the Django admin a staff user creates an API token, copies it from the show-once page,
uses it, finds it gone from every later page, and revokes it with the admin action."""

import re

import pytest

from tests.browser.conftest import PASSWORD, STAFF, leaks, session_cookie
from tests.live import http_request

pytestmark = pytest.mark.browser

TOKEN_NAME = "Laptop CLI"


def test_staff_user_creates_uses_and_revokes_a_token_in_the_admin(page, expect, api_server, tmp_path):
    api = api_server.url
    page.goto(f"{api}/admin/")
    page.fill("#id_username", STAFF)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page).to_have_url(f"{api}/admin/")
    assert session_cookie(page, api)["secure"], "the admin signs in with the production (Secure) session cookie"

    page.click("#user-tools >> text=API tokens")
    page.click("text=Create New Token")
    expect(page).to_have_url(f"{api}/admin/tokens/personalaccesstoken/add/")
    page.fill("#id_name", TOKEN_NAME)
    page.uncheck("input[name=abilities][value='*']")
    page.check("input[name=abilities][value='user:read']")
    page.check("input[name=expires_in][value='30']")
    page.click("input[name=_save]")

    plaintext = page.input_value("#new-token")
    assert plaintext.startswith("pcms_")
    me = http_request(f"{api}/api/v1/user", token=plaintext)
    assert me.status == 200
    assert me.json()["data"]["username"] == STAFF
    assert me.json()["data"]["token"]["abilities"] == ["user:read"]

    page.reload()  # re-submits the form: no second token, no plaintext
    expect(page.locator("#new-token")).to_have_count(0)
    assert plaintext not in page.content()
    page.goto(f"{api}/admin/tokens/personalaccesstoken/")
    assert plaintext not in page.content()
    page.click(f"#result_list >> text={TOKEN_NAME}")
    expect(page).to_have_url(re.compile(r"/admin/tokens/personalaccesstoken/\d+/change/$"))
    assert plaintext not in page.content()
    page.goto(f"{api}/admin/tokens/personalaccesstoken/add/")
    assert plaintext not in page.content()

    page.goto(f"{api}/admin/tokens/personalaccesstoken/")
    page.check("#result_list input[name=_selected_action]")
    page.select_option("select[name=action]", "revoke_selected")
    page.click("button[name=index]")
    expect(page.locator(".messagelist")).to_contain_text("Revoked 1 token.")
    expect(page.locator("#result_list")).to_contain_text("Revoked")
    page.screenshot(path=tmp_path / "admin_flow.png", full_page=True)

    refused = http_request(f"{api}/api/v1/user", token=plaintext)
    assert refused.status == 401
    assert refused.json()["error"]["details"] == {"reason": "revoked"}
    assert leaks(api_server, plaintext) == []  # shown once, kept nowhere: no table (sessions, admin log), no log
