"""Flow 2 (#13): everyone's own tokens in the Django admin. An Author (staff, Author role, no token
permission) finds *API tokens*, creates a token, copies it from the show-once page, uses it and revokes
it; they never see another user's token; a staff user with "Can revoke any user's token" revokes
someone else's. Every token page is photographed at 1280 px (the list also at 390 px) into
``test-artifacts/admin-tokens/``, for a look by eye."""

from __future__ import annotations

import json
import re

import pytest

from tests.browser import screenshots
from tests.browser.conftest import PASSWORD
from tests.live import http_request, manage

pytestmark = pytest.mark.browser

AUTHOR, OTHER, REVOKER, SUPERUSER = "arthur", "olga", "rita", "root"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
CHANGELIST = "/admin/tokens/personalaccesstoken/"
SITE = "PolyCMS administration"

# arthur: staff with the Author role and nothing else. olga: staff whose tokens arthur must never see,
# in every state the list tells apart (active, expired, revoked; two named alike), plus "Deploy bot"
# for rita to revoke. rita: staff who may revoke any user's token. root: a superuser, who sees every
# section of the admin. Prints olga's ids and plaintexts.
PEOPLE_SCRIPT = f"""
import json
from datetime import timedelta
from django.contrib.auth.models import Group, Permission, User
from django.utils import timezone
from tokens.models import PersonalAccessToken
from tokens.services import token_create, token_revoke

def staff(username):
    return User.objects.create_user(username, f"{{username}}@example.com", {PASSWORD!r}, is_staff=True)

staff({AUTHOR!r}).groups.add(Group.objects.get(name="Author"))
olga = staff({OTHER!r})
staff({REVOKER!r}).user_permissions.add(Permission.objects.get(codename="revoke_any_token"))
User.objects.create_superuser({SUPERUSER!r}, "{SUPERUSER}@example.com", {PASSWORD!r})
old, _ = token_create(owner=olga, name="Zapier Integration", abilities=["posts:read"])
token_revoke(token=old, by=olga)
zapier, zapier_plaintext = token_create(owner=olga, name="Zapier Integration", abilities=["read"])
expired, _ = token_create(owner=olga, name="Nightly export", abilities=["posts:read", "user:read"])
PersonalAccessToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=3))
bot, bot_plaintext = token_create(owner=olga, name="Deploy bot", abilities=["*"])
print(json.dumps({{
    "owner": olga.pk, "zapier": zapier.pk, "zapier_plaintext": zapier_plaintext, "zapier_hint": zapier.display_hint,
    "revoked_hint": old.display_hint, "bot": bot.pk, "bot_plaintext": bot_plaintext,
}}))
"""


@pytest.fixture(scope="module")
def olgas(api_server) -> dict:
    """Creates the users above, once per module; olga's id, her token ids, hints and plaintexts."""
    return json.loads(manage(api_server.env, "shell", "-c", PEOPLE_SCRIPT).strip().splitlines()[-1])


@pytest.fixture
def desktop(chromium):
    """A page at 1280 px, the width the admin must be usable at (with its sidebar open)."""
    context = chromium.new_context(viewport=DESKTOP)
    yield context.new_page()
    context.close()


def shot(page, name: str) -> None:
    screenshots.save(page, "admin-tokens", name)


def sign_in(page, expect, api: str, username: str) -> None:
    page.goto(f"{api}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page).to_have_url(f"{api}/admin/")


def user_status(api: str, plaintext: str) -> int:
    return http_request(f"{api}/api/v1/user", token=plaintext).status


def test_author_finds_creates_copies_uses_and_revokes_their_own_token(desktop, expect, api_server, olgas):
    page, api = desktop, api_server.url
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=api)
    page.goto(f"{api}/admin/login/")
    assert page.title() == f"Log in | {SITE}"
    shot(page, "login")
    sign_in(page, expect, api, AUTHOR)
    assert page.title() == f"Site administration | {SITE}"
    expect(page.locator("#site-name")).to_have_text(SITE)
    expect(page.locator("#content-main caption")).to_have_text(["Content", "API access"])
    expect(page.locator("#content-main .app-tokens")).to_contain_text("API tokens")
    shot(page, "index")

    page.click("#user-tools >> text=API tokens")
    expect(page).to_have_url(f"{api}{CHANGELIST}")
    expect(page.locator("#nav-sidebar caption")).to_have_text(["Content", "API access"])
    page.click("text=Create New Token")
    shot(page, "add")
    page.fill("#id_name", "Zapier Integration")
    page.fill("#id_expires_on", "2031-01-15")  # typed, but "30 days" is still the choice: refused, not ignored
    page.click("input[name=_save]")
    expect(page.locator(".field-expires_on .errorlist")).to_contain_text("choose “On a specific date”")
    shot(page, "add-date-without-choice")
    page.check("input[name=expires_in][value='date']")
    page.click("input[name=_save]")

    plaintext = page.input_value("#new-token")
    page.click("#copy-token")
    expect(page.locator("#copy-token-status")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == plaintext
    shot(page, "created")
    me = http_request(f"{api}/api/v1/user", token=plaintext)
    assert me.status == 200
    assert me.json()["data"]["username"] == AUTHOR
    assert me.json()["data"]["token"]["expires_at"] == "2031-01-15T00:00:00Z"

    page.click("text=I have stored it safely")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)  # the Author's own token only
    expect(page.locator("#result_list .token-status")).to_have_text("Active")
    page.click("#result_list >> text=Zapier Integration")
    expect(page).to_have_url(re.compile(r"/admin/tokens/personalaccesstoken/\d+/change/$"))
    expect(page.locator(".deletelink")).to_have_count(0)
    shot(page, "change")
    page.click("#revoke-token")
    shot(page, "revoke")
    page.click("input[value='Yes, revoke it']")
    expect(page.locator(".messagelist")).to_contain_text("Revoked “Zapier Integration")
    expect(page.locator(".field-status_badge .token-status")).to_have_text("Revoked")
    shot(page, "change-revoked")
    page.click("#nav-sidebar >> text=API tokens")
    expect(page.locator("#result_list .token-status")).to_have_text("Revoked")
    shot(page, "list-author-1280")

    refused = http_request(f"{api}/api/v1/user", token=plaintext)
    assert refused.status == 401
    assert refused.json()["error"]["details"] == {"reason": "revoked"}


def test_author_never_sees_another_users_token(desktop, expect, api_server, olgas):
    page, api = desktop, api_server.url
    sign_in(page, expect, api, AUTHOR)

    page.goto(f"{api}{CHANGELIST}")
    expect(page.locator("#changelist")).not_to_contain_text(olgas["zapier_hint"])
    expect(page.locator("#changelist")).not_to_contain_text("Nightly export")
    expect(page.locator("#changelist-filter")).not_to_contain_text(OTHER)

    # Her token's page answers exactly as a token that does not exist would.
    for token_id in (olgas["zapier"], 999_999):
        page.goto(f"{api}{CHANGELIST}{token_id}/change/")
        expect(page).to_have_url(f"{api}/admin/")
        expect(page.locator(".messagelist")).to_have_text(
            f"API token with ID “{token_id}” doesn\N{RIGHT SINGLE QUOTATION MARK}t exist. Perhaps it was deleted?"
        )
        assert page.goto(f"{api}{CHANGELIST}{token_id}/revoke/").status == 404
    expect(page.locator("body")).not_to_contain_text("Zapier Integration")
    assert user_status(api, olgas["zapier_plaintext"]) == 200


def test_token_list_tells_states_apart_at_1280_and_390_px(desktop, expect, api_server, olgas):
    page, api = desktop, api_server.url
    sign_in(page, expect, api, REVOKER)
    page.goto(f"{api}{CHANGELIST}?owner__id__exact={olgas['owner']}")

    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(4)
    assert set(rows.locator(".token-status").all_inner_texts()) >= {"Active", "Expired", "Revoked"}
    zapier = rows.filter(has_text="Zapier Integration")
    expect(zapier).to_have_count(2)
    expect(zapier.filter(has_text=olgas["zapier_hint"]).locator(".token-status")).to_have_text("Active")
    expect(zapier.filter(has_text=olgas["revoked_hint"]).locator(".token-status")).to_have_text("Revoked")
    colours = {
        status: rows.locator(f".token-status-{status}").first.evaluate("e => getComputedStyle(e).backgroundColor")
        for status in ("active", "expired", "revoked")
    }
    assert len(set(colours.values())) == 3, colours
    # Every column in view beside the open sidebar and the filters: nothing scrolled out of sight.
    assert page.locator("#nav-sidebar").is_visible()
    assert page.eval_on_selector("#changelist-form .results", "e => e.scrollWidth <= e.clientWidth")
    expect(page.locator("#result_list thead")).to_contain_text("Expires")
    shot(page, "list-1280")
    page.emulate_media(color_scheme="dark")  # the admin follows the system theme: badges keep their contrast
    shot(page, "list-1280-dark")
    page.emulate_media(color_scheme="light")

    page.set_viewport_size(PHONE)
    # On a phone the table scrolls sideways, as everywhere in Django's admin, with name and status in view.
    for column in (".field-name_and_hint", ".field-status_badge"):
        box = rows.first.locator(column).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], column
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # the page itself does not
    shot(page, "list-390")


def test_staff_with_revoke_any_revokes_someone_elses_token(desktop, expect, api_server, olgas):
    page, api = desktop, api_server.url
    sign_in(page, expect, api, REVOKER)
    assert user_status(api, olgas["bot_plaintext"]) == 200

    page.goto(f"{api}{CHANGELIST}")
    page.click("#changelist-filter >> text=olga")
    page.click("#result_list >> text=Deploy bot")
    expect(page.locator(".field-owner_name")).to_contain_text(OTHER)
    page.click("#revoke-token")
    expect(page.locator("#content")).to_contain_text("Revoke the API token “Deploy bot”")
    page.click("input[value='Yes, revoke it']")
    expect(page.locator(".messagelist")).to_contain_text("Revoked “Deploy bot")

    refused = http_request(f"{api}/api/v1/user", token=olgas["bot_plaintext"])
    assert refused.status == 401
    assert refused.json()["error"]["details"] == {"reason": "revoked"}
    assert user_status(api, olgas["zapier_plaintext"]) == 200  # only that one


def test_superuser_finds_content_api_access_and_users_on_the_index_and_in_the_sidebar(
    desktop, expect, api_server, olgas
):
    page, api = desktop, api_server.url
    sign_in(page, expect, api, SUPERUSER)
    sections = ["Content", "API access", "Users", "Background jobs"]

    expect(page.locator("#content-main caption")).to_have_text(sections)
    expect(page.locator("#content-main .app-auth th[scope=row]")).to_have_text(["Users", "Groups"])
    shot(page, "index-superuser")
    page.click("#content-main >> text=API tokens")
    expect(page.locator("#nav-sidebar caption")).to_have_text(sections)
    expect(page.locator("#nav-sidebar .current-app caption")).to_have_text("API access")
    expect(page.locator("#result_list")).to_contain_text("Deploy bot")  # a superuser sees everyone's
