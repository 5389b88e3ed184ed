"""Content-Security-Policy in Chromium: the admin, Swagger UI, Redoc and the browsable API work under the
policy with not one violation reported, and a script injected into a page we serve does not run."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.browser.conftest import PASSWORD
from tests.live import manage

pytestmark = pytest.mark.browser

SUPERUSER = "csp-root"
SUPERUSER_SCRIPT = f"""
from django.contrib.auth.models import User
User.objects.create_superuser({SUPERUSER!r}, "{SUPERUSER}@example.com", {PASSWORD!r})
"""
# What an attacker's markup would try: an inline script and an inline event handler.
INJECTED = (
    '<script>window.pwnedByScript = true;</script><img src="data:," alt="" onerror="window.pwnedByHandler = true">'
)


@pytest.fixture(scope="module")
def superuser(api_server) -> str:
    manage(api_server.env, "shell", "-c", SUPERUSER_SCRIPT)
    return SUPERUSER


@pytest.fixture
def violations(page) -> list[str]:
    """The CSP violations Chromium reports on the console while the test runs."""
    reported: list[str] = []
    page.on(
        "console", lambda message: reported.append(message.text) if "Content Security Policy" in message.text else None
    )
    return reported


def sign_in_to_admin(page, expect, api: str, username: str) -> None:
    page.goto(f"{api}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page).to_have_url(f"{api}/admin/")


def computed(page, selector: str, css_property: str) -> str:
    return page.eval_on_selector(selector, f"element => getComputedStyle(element).{css_property}")


def shot(page, tmp_path, name: str) -> None:
    """Keep a screenshot next to the test's files; set CSP_SCREENSHOTS=<dir> to collect them."""
    path = tmp_path / f"{name}.png"
    page.screenshot(path=path)
    target = os.environ.get("CSP_SCREENSHOTS")
    if target:
        shutil.copy(path, target)


def test_admin_pages_work_under_the_policy(page, expect, api_server, superuser, violations, tmp_path):
    api = api_server.url
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=api)
    sign_in_to_admin(page, expect, api, superuser)

    response = page.goto(f"{api}/admin/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert computed(page, "#header", "display") == "flex"  # the admin's own stylesheets apply
    shot(page, tmp_path, "admin-index")
    expect(page.locator("html")).to_have_attribute("data-theme", "auto")  # and its own scripts run
    page.locator(".theme-toggle").first.click()
    expect(page.locator("html")).not_to_have_attribute("data-theme", "auto")

    page.goto(f"{api}/admin/tokens/personalaccesstoken/add/")
    page.fill("#id_name", "CSP check")
    page.click("input[name=_save]")
    plaintext = page.input_value("#new-token")
    assert plaintext.startswith("pcms_")
    assert "monospace" in computed(page, "#new-token", "fontFamily")  # tokens/admin.css
    page.click("#copy-token")  # tokens/token_created.js
    expect(page.locator("#copy-token-status")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == plaintext
    shot(page, tmp_path, "admin-token-created")

    page.goto(f"{api}/admin/tokens/personalaccesstoken/")
    page.click("#action-toggle")  # the changelist's actions.js
    expect(page.locator("#result_list input[name=_selected_action]").first).to_be_checked()
    page.click("#result_list >> text=CSP check")
    expect(page.locator("#revoke-token")).to_be_visible()

    page.goto(f"{api}/admin/posts/post/")
    expect(page.locator("#changelist")).to_be_visible()
    page.goto(f"{api}/admin/posts/post/add/")
    assert "monospace" in computed(page, ".editorjs-json", "fontFamily")  # the form's <style nonce>

    assert violations == []


def test_swagger_ui_redoc_and_the_browsable_api_work_under_the_policy(
    page, expect, api_server, superuser, violations, tmp_path
):
    api = api_server.url
    sign_in_to_admin(page, expect, api, superuser)  # the admin session also signs the browsable API in

    page.goto(f"{api}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("PolyCMS API")  # the init script ran
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert page.locator(".opblock").count() > 5
    assert computed(page, "body", "margin") == "0px"  # the page's <style nonce>
    shot(page, tmp_path, "swagger-ui")

    page.goto(f"{api}/api/v1/redoc/")
    expect(page.locator("h1")).to_contain_text("PolyCMS API")
    expect(page.locator(".menu-content")).to_be_visible()
    shot(page, tmp_path, "redoc")

    for path in ("/api/v1/posts", "/api/v1/user"):
        page.goto(f"{api}{path}")
        expect(page.locator(".response-info pre .pun").first).to_be_attached()  # DRF's jQuery + prettify ran
    shot(page, tmp_path, "browsable-api")

    assert violations == []


def test_a_script_injected_into_an_admin_page_does_not_run(page, expect, api_server, superuser, violations):
    api = api_server.url
    sign_in_to_admin(page, expect, api, superuser)

    def inject(route, *, keep_policy: bool) -> None:
        served = route.fetch()
        headers = {
            name: value
            for name, value in served.headers.items()
            if name.lower() not in ("content-length", "content-encoding")
            and (keep_policy or name.lower() != "content-security-policy")
        }
        route.fulfill(response=served, headers=headers, body=served.text().replace("</body>", f"{INJECTED}</body>"))

    # Without the policy the injected markup runs: the injection itself works.
    page.route(f"{api}/admin/", lambda route: inject(route, keep_policy=False))
    page.goto(f"{api}/admin/")
    page.wait_for_function("window.pwnedByScript === true && window.pwnedByHandler === true")
    page.unroute(f"{api}/admin/")
    assert violations == []

    # With the server's headers as sent, neither the script nor the handler runs, and both are reported.
    page.route(f"{api}/admin/", lambda route: inject(route, keep_policy=True))
    page.goto(f"{api}/admin/")
    expect(page.locator("#site-name")).to_be_visible()
    assert page.evaluate("[window.pwnedByScript, window.pwnedByHandler]") == [None, None]
    assert any("inline script" in violation for violation in violations), violations
    assert any("event handler" in violation for violation in violations), violations
