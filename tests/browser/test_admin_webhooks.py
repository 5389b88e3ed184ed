"""Issue 15, the admin's Webhooks page in Chromium: a staff Author creates a webhook to a local receiver, copies its
secret from the show-once page, pings it, reads the delivery in the log with its status and timing, redelivers it,
rotates the secret (the old one still signs) and disables the webhook; they never see another user's webhook.
Deliveries are made by ``manage.py worker --batch`` (the real worker, run until the queue is empty). Every page is
photographed at 1280 px into ``test-artifacts/admin-webhooks/``, for a look by eye."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from tests.browser import screenshots
from tests.browser.conftest import PASSWORD
from tests.live import Gunicorn, django_env, live_database, manage
from tests.webhooks.receivers import Answer, Receiver, running_receiver, verify_at_its_time

pytestmark = pytest.mark.browser

AUTHOR, OTHER = "wanda", "olga"
DESKTOP = {"width": 1280, "height": 800}
CHANGELIST = "/admin/webhooks/webhook/"
SECRET = re.compile(r"^whsec_[A-Za-z0-9+/]{43}=$")

# wanda: staff with the Author role and nothing else, with two webhooks made earlier (one failing, one that its
# endpoint turned off with 410 Gone) so the list shows every state. olga: staff whose webhook wanda must never see.
# Prints olga's webhook id.
PEOPLE_SCRIPT = f"""
import json
from datetime import timedelta
from django.contrib.auth.models import Group, User
from django.utils import timezone
from webhooks.models import Webhook
from webhooks.services import webhook_create

def staff(username):
    return User.objects.create_user(username, f"{{username}}@example.com", {PASSWORD!r}, is_staff=True)

wanda = staff({AUTHOR!r})
wanda.groups.add(Group.objects.get(name="Author"))
olga = staff({OTHER!r})
crm, _ = webhook_create(owner=wanda, target_url="https://crm.example.com/polycms/events", events=["post.published"],
                        description="CRM: new articles")
Webhook.objects.filter(pk=crm.pk).update(failing_since=timezone.now() - timedelta(hours=5))
zap, _ = webhook_create(owner=wanda, target_url="https://hooks.zapier.com/hooks/standard/1/8a2f/", events=["*"])
Webhook.objects.filter(pk=zap.pk).update(enabled=False, disabled_at=timezone.now(), disabled_reason="gone")
hers, _ = webhook_create(owner=olga, target_url="https://olga.example.com/private-endpoint", events=["*"])
print(json.dumps({{"olga_webhook": hers.pk}}))
"""

# Where the server kept a secret: a text column of its database (the suite's secrets guard, run on the server's
# database, sessions decoded). Prints a JSON list, empty when nowhere.
LEAKS_SCRIPT = """
import json, sys
from tests.secrets_guard import leaks_in_database
print(json.dumps(leaks_in_database([sys.stdin.read().strip()])))
"""


@pytest.fixture(scope="module")
def hooks_server(tmp_path_factory) -> Iterator[Gunicorn]:
    """PolyCMS under gunicorn on a database of its own, allowed to deliver to http://127.0.0.1 (as
    ``DJANGO_DEBUG=1`` allows for local development; the package's ``api_server`` runs production rules), with the
    users above."""
    workdir = tmp_path_factory.mktemp("webhooks-admin")
    with live_database("webhooks_admin", workdir) as database_url:
        env = django_env(
            DATABASE_URL=database_url,
            DJANGO_STATIC_ROOT=str(workdir / "static"),
            POLYCMS_WEBHOOKS_ALLOW_HTTP="1",
            POLYCMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS="1",
        )
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        server = Gunicorn(env, log_file=workdir / "gunicorn.log", host="localhost").start(workers=2)
        server.people = json.loads(manage(env, "shell", "-c", PEOPLE_SCRIPT).strip().splitlines()[-1])
        yield server
        server.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


@pytest.fixture
def desktop(chromium):
    """A page at 1280 px, the width the admin must be usable at (with its sidebar open)."""
    context = chromium.new_context(viewport=DESKTOP)
    yield context.new_page()
    context.close()


def shot(page, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")  # the sticky sidebar at the top of the picture, where it is on arrival
    screenshots.save(page, "admin-webhooks", name)


def sign_in(page, expect, api: str, username: str) -> None:
    page.goto(f"{api}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page).to_have_url(f"{api}/admin/")


def deliver_now(server: Gunicorn) -> None:
    """Run every job that is due, with the real worker (``manage.py worker --batch``), then return."""
    manage(server.env, "worker", "--batch", "--no-startup-delay", "--no-upkeep")


def leaks(server: Gunicorn, secret: str) -> list[str]:
    found = manage(server.env, "shell", "-c", LEAKS_SCRIPT, stdin=secret).strip().splitlines()[-1]
    return [*json.loads(found), *(["server log"] if secret[6:46] in server.log() else [])]


def test_author_creates_pings_redelivers_rotates_and_disables_their_webhook(desktop, expect, hooks_server, receiver):
    page, api = desktop, hooks_server.url
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=api)
    csp_violations = []
    page.on("console", lambda note: "Content Security Policy" in note.text and csp_violations.append(note.text))
    receiver.default = Answer(body=b'{"ok": true}')
    sign_in(page, expect, api, AUTHOR)
    expect(page.locator("#content-main .app-tokens")).to_contain_text("Webhooks")  # in "API access"

    page.click("#content-main >> text=Webhooks")
    expect(page).to_have_url(f"{api}{CHANGELIST}")
    page.click("text=Create New Webhook")
    page.fill("#id_target_url", receiver.url)
    page.fill("#id_description", "Static site rebuild")
    page.check("input[name=events][value='post.published']")
    page.check("input[name=events][value='post.deleted']")
    shot(page, "add")
    page.click("input[name=_save]")

    # The secret, once, with a Copy button.
    secret = page.input_value("#webhook-secret")
    assert SECRET.match(secret), secret
    expect(page.locator(".errornote")).to_contain_text("it will not be shown again")
    page.click("#copy-secret")
    expect(page.locator("#copy-secret-status")).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    shot(page, "created")
    page.click("#secret-stored")
    expect(page).to_have_url(re.compile(r"/admin/webhooks/webhook/\d+/change/$"))
    expect(page.locator("#content")).not_to_contain_text(secret)
    expect(page.locator("#delivery-log")).to_contain_text("No deliveries yet")

    # Ping: queued, then delivered by the worker; the log shows it with its status and timing.
    page.click("#ping-webhook")
    expect(page.locator(".messagelist")).to_contain_text("Ping queued")
    expect(page.locator("#delivery-log .delivery-status")).to_have_text("Pending")
    deliver_now(hooks_server)
    (ping,) = receiver.wait_for(1)
    assert verify_at_its_time(secret, ping)["type"] == "ping"
    page.reload()
    row = page.locator("#delivery-log tbody.delivery").first
    expect(row.locator(".delivery-status")).to_have_text("Succeeded")
    expect(row.locator(".delivery-answer")).to_have_text("HTTP 200")
    expect(row.locator(".delivery-duration")).to_have_text(re.compile(r"^\d+ ms$"))
    expect(row).to_contain_text(ping.headers["webhook-id"])
    row.locator("summary").click()
    expect(row.locator(".delivery-excerpt")).to_have_text('{"ok": true}')
    shot(page, "change-with-log")

    # Redeliver: the same message (webhook-id and body) again, a second attempt in the log.
    row.locator("button.redeliver").click()
    expect(page.locator(".messagelist")).to_contain_text("the same webhook-id and body")
    deliver_now(hooks_server)
    again = receiver.wait_for(2)[1]
    assert (again.headers["webhook-id"], again.body) == (ping.headers["webhook-id"], ping.body)
    page.reload()
    expect(page.locator("#delivery-log tbody.delivery")).to_have_count(1)
    expect(page.locator("#delivery-log tbody.delivery summary")).to_have_text("2 attempts")

    # Rotate: a confirmation that says the old secret signs 24 h more, then the new secret, once.
    page.click("#rotate-secret")
    expect(page.locator("#content")).to_contain_text("The current secret keeps signing too for 24 hours")
    shot(page, "rotate-confirmation")
    page.click("input[value='Yes, rotate it']")
    new_secret = page.input_value("#webhook-secret")
    assert SECRET.match(new_secret) and new_secret != secret
    expect(page.locator(".webhook-overlap")).to_contain_text("The previous secret keeps signing too for 24 hours")
    shot(page, "rotated")
    page.click("#secret-stored")
    expect(page.locator(".field-signing_secret")).to_contain_text("The previous secret also signs every delivery")
    page.click("#ping-webhook")
    deliver_now(hooks_server)
    signed_twice = receiver.wait_for(3)[2]
    assert len(signed_twice.headers["webhook-signature"].split(" ")) == 2
    verify_at_its_time(new_secret, signed_twice)
    verify_at_its_time(secret, signed_twice)

    # Disable: nothing is sent any more, the log stays.
    page.click("#disable-webhook")
    expect(page.locator(".messagelist")).to_contain_text("Its delivery log is kept")
    expect(page.locator(".field-status_detail .webhook-status")).to_have_text("Disabled")
    expect(page.locator("#delivery-log tbody.delivery")).to_have_count(2)
    shot(page, "change-disabled")

    page.click("#nav-sidebar >> text=Webhooks")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)  # hers only
    assert set(rows.locator(".webhook-status").all_inner_texts()) == {"Disabled", "Failing"}
    expect(page.locator("#result_list")).to_contain_text("410 Gone")
    # Every column in view beside the open sidebar and the filters: nothing scrolled out of sight.
    assert page.locator("#nav-sidebar").is_visible()
    assert page.eval_on_selector("#changelist-form .results", "e => e.scrollWidth <= e.clientWidth")
    expect(page.locator("#result_list thead")).to_contain_text("Created")
    shot(page, "list-1280")
    page.emulate_media(color_scheme="dark")  # the admin follows the system theme: badges keep their contrast
    shot(page, "list-1280-dark")
    page.emulate_media(color_scheme="light")

    # Deleting asks first, counts what goes with it, and offers to disable instead.
    page.click("#result_list >> text=crm.example.com")
    page.click(".deletelink")
    expect(page.locator("#content")).to_contain_text("Its delivery log is deleted with it")
    expect(page.locator("#disable-instead")).to_be_visible()
    shot(page, "delete-confirmation")
    page.click("text=No, take me back")
    expect(page).to_have_url(re.compile(r"/change/$"))

    assert csp_violations == []  # no inline script or style on any of these pages
    for plaintext in (secret, new_secret):
        assert leaks(hooks_server, plaintext) == []


def test_author_never_sees_another_users_webhook(desktop, expect, hooks_server):
    page, api = desktop, hooks_server.url
    sign_in(page, expect, api, AUTHOR)
    hers = hooks_server.people["olga_webhook"]

    page.goto(f"{api}{CHANGELIST}")
    expect(page.locator("#changelist")).not_to_contain_text("olga.example.com")
    expect(page.locator("#changelist-filter")).not_to_contain_text(OTHER)
    page.goto(f"{api}{CHANGELIST}{hers}/change/")
    expect(page).to_have_url(f"{api}/admin/")
    expect(page.locator(".messagelist")).to_contain_text(f"Webhook with ID “{hers}” doesn")
    assert page.goto(f"{api}{CHANGELIST}{hers}/rotate-secret/").status == 404
    expect(page.locator("body")).not_to_contain_text("private-endpoint")
