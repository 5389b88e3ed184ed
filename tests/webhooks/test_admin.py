"""The webhooks admin: who sees which webhooks, create (the secret shown once), change, enable/disable, ping, the
delivery log, redeliver, rotate the secret (shown once, the old one signing 24 h more), delete only after a
confirmation that says what goes; the secret never on a later page, in the history, a session or a log."""

from __future__ import annotations

import logging
import re
import socket
from http import HTTPStatus

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from standardwebhooks import Webhook as Verifier

from posts.services import post_create
from tests import secrets_guard
from tests.webhooks.receivers import Answer
from webhooks import crypto, services
from webhooks.models import Delivery, Webhook

pytestmark = pytest.mark.django_db

# Case-insensitive: a message capitalised by the admin must still count.
SECRET = re.compile(r"whsec_[0-9A-Za-z+/=]{44}", re.IGNORECASE)
TARGET = "https://hooks.example.com/in"


def url(name: str, webhook: Webhook | None = None, *args) -> str:
    if name in ("changelist", "add"):
        return reverse(f"admin:webhooks_webhook_{name}")
    return reverse(f"admin:webhooks_webhook_{name}", args=[webhook.pk, *args])


def secrets_in(response) -> list[str]:
    return SECRET.findall(response.content.decode())


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def create_through_admin(client: Client, **fields):
    data = {"target_url": TARGET, "description": "Static site", "events": ["post.published"], **fields}
    return client.post(url("add"), data)


def listed(client: Client, query: str = "") -> list[Webhook]:
    response = client.get(url("changelist") + query)
    assert response.status_code == HTTPStatus.OK
    return list(response.context["cl"].result_list)


def log_section(response) -> str:
    return response.content.decode().split('id="delivery-log"', 1)[1]


@pytest.fixture(autouse=True)
def _no_dns(monkeypatch):
    """Creating a webhook resolves its host once; no name resolves in the test sandbox, which the service accepts.
    Addresses (the local receivers) still "resolve" to themselves."""
    resolve = socket.getaddrinfo

    def numeric_only(host, *args, **kwargs):
        return resolve(host, *args, flags=socket.AI_NUMERICHOST)

    monkeypatch.setattr(socket, "getaddrinfo", numeric_only)


@pytest.fixture
def staff_author(make_user):
    """Staff with the Author role and no webhook permission: enough for their own webhooks (webhooks.policies)."""
    return make_user("arthur", role="Author", is_staff=True)


@pytest.fixture
def hook_manager(make_user):
    """Staff who may see and manage everyone's webhooks."""
    from django.contrib.auth.models import Permission

    manager = make_user("mona", is_staff=True)
    manager.user_permissions.add(Permission.objects.get(codename="manage_any_webhook"))
    return manager


# ------------------------------------------------------------------------------ navigation and permissions


def test_every_staff_author_finds_webhooks_under_api_access_without_any_permission(staff_author):
    assert not any(perm.startswith("webhooks.") for perm in staff_author.get_all_permissions())
    client = signed_in(staff_author)

    response = client.get(reverse("admin:index"))

    (section,) = [app for app in response.context["app_list"] if app["name"] == "API access"]
    assert [model["name"] for model in section["models"]] == ["API tokens", "Webhooks"]
    webhooks = section["models"][1]
    assert (webhooks["admin_url"], webhooks["add_url"]) == (url("changelist"), url("add"))
    assert client.get(url("changelist")).status_code == HTTPStatus.OK
    assert client.get(url("add")).status_code == HTTPStatus.OK


def test_the_breadcrumbs_read_settings_then_webhooks_as_for_tokens(staff_author):
    page = signed_in(staff_author).get(url("changelist")).content.decode()
    crumbs = re.sub(r"<[^>]+>|\s+", " ", page.split('class="breadcrumbs"', 1)[1].split("</div>", 1)[0])
    assert re.sub(r"\s+", " ", crumbs).strip(" >") == "Home &rsaquo; Settings &rsaquo; Webhooks"


def test_users_who_are_not_staff_or_inactive_are_kept_out(make_user):
    for user in (make_user("ann", role="Author"), make_user("ivy", is_staff=True, is_active=False)):
        client = signed_in(user)
        for page in (url("changelist"), url("add")):
            response = client.get(page)
            assert response.status_code == HTTPStatus.FOUND
            assert response["Location"].startswith(reverse("admin:login"))


def test_staff_see_and_manage_only_their_own_webhooks(staff_author, make_user, make_webhook):
    own = make_webhook(owner=staff_author)
    make_webhook(owner=make_user("olga", is_staff=True), url="https://hooks.example.com/olga")
    client = signed_in(staff_author)

    assert listed(client) == [own]
    response = client.get(url("changelist"))
    assert [spec.title for spec in response.context["cl"].filter_specs] == ["status"]
    assert "field-owner" not in response.content.decode()


@pytest.mark.parametrize("page", ["change", "history", "delete", "rotate"])
def test_another_users_webhook_answers_as_a_missing_one_would(staff_author, make_user, make_webhook, page):
    others = make_webhook(owner=make_user("olga"), url="https://hooks.example.com/olga-secret-path")
    client = signed_in(staff_author)

    answers = []
    for webhook in (others, Webhook(pk=987_654)):
        response = client.get(url(page, webhook), follow=True)
        body = response.content.decode().replace(f"“{webhook.pk}”", "“<id>”").replace(f"/{webhook.pk}/", "/<id>/")
        body = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", body)
        answers.append((response.status_code, response.redirect_chain, body))

    assert answers[0] == answers[1]
    assert "olga-secret-path" not in answers[0][2]


def test_another_users_webhook_cannot_be_pinged_disabled_rotated_redelivered_or_deleted(
    staff_author, make_user, make_webhook
):
    others = make_webhook(owner=make_user("olga"))
    delivery = services.webhook_ping(webhook=others)
    client = signed_in(staff_author)

    for page in [url(name, others) for name in ("ping", "disable", "rotate")] + [url("redeliver", others, delivery.pk)]:
        assert client.post(page).status_code == HTTPStatus.NOT_FOUND, page
    client.post(url("delete", others), {"post": "yes"})

    others.refresh_from_db()
    assert others.enabled
    assert Delivery.objects.filter(webhook=others).count() == 1
    assert not others.previous_secret_ciphertext


def test_manage_any_webhook_shows_and_manages_everyones(hook_manager, make_user, make_webhook):
    own = make_webhook(owner=hook_manager, url="https://hooks.example.com/own")
    others = make_webhook(owner=make_user("olga"))
    client = signed_in(hook_manager)

    assert set(listed(client)) == {own, others}
    response = client.get(url("changelist"))
    assert [spec.title for spec in response.context["cl"].filter_specs] == ["status", "owner"]
    assert listed(client, f"?owner__id__exact={others.owner_id}") == [others]
    assert client.get(url("change", others)).status_code == HTTPStatus.OK
    assert client.post(url("disable", others)).status_code == HTTPStatus.FOUND
    others.refresh_from_db()
    assert not others.enabled


def test_a_superuser_sees_everyones_webhooks(admin_client, make_user, make_webhook):
    others = make_webhook(owner=make_user("olga"))

    assert listed(admin_client) == [others]
    assert "olga" in admin_client.get(url("change", others)).content.decode()


# ------------------------------------------------------------------------------ create: the secret once


def test_create_form_offers_the_events_as_checkboxes(staff_author):
    body = signed_in(staff_author).get(url("add")).content.decode()

    assert "Create New Webhook" in body
    boxes = re.findall(r'<input type="checkbox" name="events" value="([^"]+)"', body)
    assert boxes == ["*", "post.created", "post.updated", "post.published", "post.unpublished", "post.deleted"]
    assert 'name="target_url"' in body


def test_creating_a_webhook_shows_its_secret_once_and_uncacheable(staff_author):
    client = signed_in(staff_author)

    response = create_through_admin(client, events=["post.published", "post.deleted"])

    assert response.status_code == HTTPStatus.OK
    assert "no-store" in response["Cache-Control"]
    (secret,) = secrets_in(response)
    body = response.content.decode()
    assert "it will not be shown again" in body
    assert "webhooks/secret.js" in body  # the copy button
    webhook = Webhook.objects.get()
    assert (webhook.owner, webhook.target_url, webhook.description) == (staff_author, TARGET, "Static site")
    assert webhook.events == ["post.deleted", "post.published"]
    assert crypto.decrypt(webhook.secret_ciphertext)[0] == secret
    assert secret not in webhook.secret_ciphertext
    (entry,) = LogEntry.objects.all()
    assert (entry.action_flag, entry.object_id) == (ADDITION, str(webhook.pk))
    assert entry.change_message == "Created webhook (events: post.deleted, post.published)."


def test_resubmitting_the_creation_form_makes_another_webhook_with_its_own_secret(staff_author):
    client = signed_in(staff_author)
    (first,) = secrets_in(create_through_admin(client))
    (second,) = secrets_in(create_through_admin(client))

    assert first != second
    assert Webhook.objects.count() == 2


@pytest.mark.parametrize(
    ("fields", "field", "error"),
    [
        ({"target_url": ""}, "target_url", "This field is required."),
        ({"target_url": "http://hooks.example.com/in"}, "target_url", "Use an https:// URL."),
        ({"target_url": "https://10.0.0.7/in"}, "target_url", "10.0.0.7 is a private address"),
        ({"target_url": "https://169.254.169.254/latest"}, "target_url", "link-local address"),
        ({"target_url": "https://user:pw@hooks.example.com/"}, "target_url", "Put no credentials in the URL"),
        ({"events": []}, "events", "This field is required."),
        ({"events": ["post.exploded"]}, "events", "Select a valid choice."),
        ({"description": "x" * 201}, "description", "at most 200 characters"),
    ],
)
def test_invalid_creation_is_refused_on_the_form(staff_author, fields, field, error):
    response = create_through_admin(signed_in(staff_author), **fields)

    assert response.status_code == HTTPStatus.OK
    assert error in " ".join(response.context["adminform"].form.errors[field])
    assert secrets_in(response) == []
    assert not Webhook.objects.exists()


def test_the_per_user_cap_is_refused_on_the_form(staff_author, make_webhook, settings):
    settings.POLYCMS_WEBHOOKS = {**settings.POLYCMS_WEBHOOKS, "MAX_PER_USER": 1}
    make_webhook(owner=staff_author)

    response = create_through_admin(signed_in(staff_author))

    assert "the most one account may hold" in str(response.context["adminform"].form.non_field_errors())
    assert Webhook.objects.count() == 1


def test_the_secret_appears_nowhere_after_creation(staff_author, caplog):
    client = signed_in(staff_author)
    with caplog.at_level(logging.DEBUG):
        (secret,) = secrets_in(create_through_admin(client))
        webhook = Webhook.objects.get()
        pages = [
            url("changelist"),
            url("changelist") + "?q=hooks",
            url("change", webhook),
            url("history", webhook),
            url("delete", webhook),
            url("rotate", webhook),
            reverse("admin:index"),
        ]
        for page in pages:
            response = client.get(page)
            assert response.status_code == HTTPStatus.OK, page
            assert secret.lower() not in response.content.decode().lower(), page
            assert secrets_in(response) == [], page

    random_part = secret.removeprefix("whsec_")[:40]
    assert not any(random_part in f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    assert random_part not in str(list(LogEntry.objects.values()))
    for session in Session.objects.all():
        assert random_part not in f"{session.session_data} {session.get_decoded()}"
    assert random_part not in " ".join(morsel.value for morsel in client.cookies.values())


def test_the_suites_secrets_guard_watches_webhook_secrets_too():
    secret = crypto.generate_secret()
    created = [("POST", url("add"), f'value="{secret}"'.encode())]

    assert secret in secrets_guard._minted  # so every test's responses, logs and tables are searched for it
    assert secrets_guard.find_leaks([secret], created, []) == []
    assert secrets_guard.find_leaks([secret], [*created, ("GET", url("changelist"), secret.upper().encode())], [])
    assert secrets_guard.find_leaks([secret], [], [f"oops {secret}"]) == ["log record"]


def test_the_encrypted_secrets_cannot_be_used_as_changelist_filters(admin_client, make_webhook):
    webhook = make_webhook()
    for lookup in ("secret_ciphertext__startswith", "previous_secret_ciphertext__startswith"):
        response = admin_client.get(url("changelist"), {lookup: webhook.secret_ciphertext[:4]})
        assert response.status_code == HTTPStatus.BAD_REQUEST


# ------------------------------------------------------------------------------ change, enable, disable


def test_change_page_edits_url_description_and_events_through_the_service(staff_author, make_webhook, caplog):
    webhook = make_webhook(owner=staff_author, events=["post.created"])
    client = signed_in(staff_author)

    caplog.clear()
    response = client.post(
        url("change", webhook),
        {"target_url": "https://hooks.example.com/new", "description": "CRM", "events": ["*"], "_save": "Save"},
    )

    assert response.status_code == HTTPStatus.FOUND
    webhook.refresh_from_db()
    assert (webhook.target_url, webhook.description, webhook.events) == ("https://hooks.example.com/new", "CRM", ["*"])
    (entry,) = LogEntry.objects.filter(action_flag=CHANGE)
    assert entry.get_change_message() == "Changed Target URL, description and events."
    assert [record.msg for record in caplog.records if record.name == "polycms.audit"] == ["webhook.updated"]


def test_a_change_the_service_refuses_lands_on_the_form_and_changes_nothing(staff_author, make_webhook):
    webhook = make_webhook(owner=staff_author)
    client = signed_in(staff_author)

    response = client.post(url("change", webhook), {"target_url": "https://127.0.0.1/in", "events": ["*"]})

    assert response.status_code == HTTPStatus.OK
    assert "loopback address" in " ".join(response.context["adminform"].form.errors["target_url"])
    webhook.refresh_from_db()
    assert webhook.target_url == TARGET
    assert not LogEntry.objects.exists()


def test_change_page_shows_status_owner_and_what_became_of_the_secret(staff_author, make_webhook):
    webhook = make_webhook(owner=staff_author, description="Static site")
    body = signed_in(staff_author).get(url("change", webhook)).content.decode()

    assert 'class="webhook-status webhook-status-enabled">Enabled<' in body
    assert "Shown once, when the webhook was created or its secret rotated" in body
    assert 'id="ping-webhook"' in body and 'id="disable-webhook"' in body and 'id="rotate-secret"' in body
    assert "No deliveries yet" in body
    assert webhook.secret not in body


def test_disable_and_enable_buttons_keep_the_log_and_leave_a_history(staff_author, make_webhook):
    webhook = make_webhook(owner=staff_author)
    services.webhook_ping(webhook=webhook)
    client = signed_in(staff_author)

    assert client.get(url("disable", webhook)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    response = client.post(url("disable", webhook), follow=True)
    assert "Its delivery log is kept" in response.content.decode()
    webhook.refresh_from_db()
    assert (webhook.enabled, webhook.disabled_reason) == (False, Webhook.DisabledReason.OWNER)
    body = client.get(url("change", webhook)).content.decode()
    assert "webhook-status-disabled" in body and 'id="enable-webhook"' in body
    assert Delivery.objects.filter(webhook=webhook).count() == 1

    client.post(url("enable", webhook))
    webhook.refresh_from_db()
    assert webhook.enabled
    assert [entry.change_message for entry in LogEntry.objects.order_by("id")] == ["Disabled.", "Enabled."]


def test_list_badges_and_filter_tell_apart_enabled_failing_and_disabled(staff_author, make_webhook):
    from django.utils import timezone

    enabled = make_webhook(owner=staff_author, url="https://hooks.example.com/ok")
    failing = make_webhook(owner=staff_author, url="https://hooks.example.com/failing")
    Webhook.objects.filter(pk=failing.pk).update(failing_since=timezone.now())
    gone = make_webhook(owner=staff_author, url="https://hooks.example.com/gone")
    Webhook.objects.filter(pk=gone.pk).update(enabled=False, disabled_reason=Webhook.DisabledReason.GONE)
    client = signed_in(staff_author)

    body = client.get(url("changelist")).content.decode()
    for key, label in [("enabled", "Enabled"), ("failing", "Failing"), ("disabled", "Disabled")]:
        assert f'class="webhook-status webhook-status-{key}">{label}</span>' in body
    assert "410 Gone" in body
    assert listed(client, "?status=enabled") == [enabled]
    assert listed(client, "?status=failing") == [failing]
    assert listed(client, "?status=disabled") == [gone]


def test_disable_and_enable_actions_but_no_bulk_delete(staff_author, make_webhook):
    webhooks = [make_webhook(owner=staff_author, url=f"https://hooks.example.com/{n}") for n in range(2)]
    client = signed_in(staff_author)

    listing = client.get(url("changelist"))
    choices = [name for name, _ in listing.context["action_form"].fields["action"].choices]
    assert choices == ["", "disable_selected", "enable_selected"]
    selected = [webhook.pk for webhook in webhooks]
    client.post(url("changelist"), {"action": "delete_selected", "_selected_action": selected, "post": "yes"})
    assert Webhook.objects.count() == 2
    client.post(url("changelist"), {"action": "disable_selected", "_selected_action": selected, "index": 0})
    assert not Webhook.objects.filter(enabled=True).exists()


# ------------------------------------------------------------------------------ ping, delivery log, redeliver


def test_ping_is_delivered_and_the_log_shows_status_timing_and_answer(staff_author, receiver, make_webhook, jobs):
    webhook = make_webhook(owner=staff_author, url=receiver.url, events=["post.deleted"])
    receiver.default = Answer(body=b'{"received": true}')
    client = signed_in(staff_author)

    assert client.get(url("ping", webhook)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    response = client.post(url("ping", webhook))
    assert response["Location"] == url("change", webhook) + "#delivery-log"
    delivery = Delivery.objects.get()
    pending = log_section(client.get(url("change", webhook)))
    assert "delivery-status-pending" in pending and delivery.message_id in pending

    jobs()
    (request,) = receiver.wait_for(1)
    Verifier(webhook.secret).verify(request.body, request.headers)
    log = log_section(client.get(url("change", webhook)))
    assert "delivery-status-succeeded" in log
    assert "HTTP 200" in log
    assert re.search(r"\d+ ms", log)
    assert "{&quot;received&quot;: true}" in log  # the response excerpt
    assert "1 attempt<" in log
    assert delivery.message_id in log
    assert LogEntry.objects.get().change_message == f"Sent a ping ({delivery.message_id})."


def test_a_failing_delivery_shows_its_error_answer_and_next_attempt(staff_author, receiver, make_webhook, jobs):
    webhook = make_webhook(owner=staff_author, url=receiver.url)
    receiver.default = Answer(status=503, body=b"Service Unavailable: try later")
    services.webhook_ping(webhook=webhook)
    jobs()

    log = log_section(signed_in(staff_author).get(url("change", webhook)))

    delivery = Delivery.objects.get()
    assert delivery.next_attempt_at is not None
    assert "delivery-status-pending" in log
    assert "HTTP 503" in log
    assert "Service Unavailable: try later" in log
    assert "Failed, will be retried" in log
    assert f"{delivery.next_attempt_at:%Y-%m-%d %H:%M:%S}" in log
    assert "webhook-status-failing" in signed_in(staff_author).get(url("changelist")).content.decode()


def test_a_connection_error_is_shown_as_the_attempts_error(staff_author, local_targets, make_webhook, jobs):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]  # nothing listens there once closed
    webhook = make_webhook(owner=staff_author, url=f"http://127.0.0.1:{port}/hook")
    services.webhook_ping(webhook=webhook)
    jobs()

    log = log_section(signed_in(staff_author).get(url("change", webhook)))

    error = Delivery.objects.get().last_error
    assert error
    assert error in log
    assert "delivery-status-pending" in log


def test_redeliver_sends_the_same_message_again(staff_author, receiver, make_webhook, jobs):
    webhook = make_webhook(owner=staff_author, url=receiver.url)
    services.webhook_ping(webhook=webhook)
    jobs()
    delivery = Delivery.objects.get()
    client = signed_in(staff_author)

    assert client.get(url("redeliver", webhook, delivery.pk)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    response = client.post(url("redeliver", webhook, delivery.pk), follow=True)
    assert "the same webhook-id and body" in response.content.decode()
    jobs()

    first, second = receiver.wait_for(2)
    assert second.headers["webhook-id"] == first.headers["webhook-id"] == delivery.message_id
    assert second.body == first.body
    assert "2 attempts<" in log_section(client.get(url("change", webhook)))
    assert LogEntry.objects.get().change_message == f"Redelivered ping ({delivery.message_id})."


def test_redelivering_an_event_to_a_disabled_webhook_is_refused_with_a_message(
    staff_author, receiver, make_webhook, jobs
):
    webhook = make_webhook(owner=staff_author, url=receiver.url, events=["post.created"])
    post_create(author=staff_author, data={"title": "Hello"})
    jobs()
    delivery = Delivery.objects.get()
    services.webhook_set_enabled(webhook=webhook, enabled=False, by=staff_author)
    client = signed_in(staff_author)

    log = log_section(client.get(url("change", webhook)))
    assert 'disabled title="Enable the webhook to redeliver"' in log
    response = client.post(url("redeliver", webhook, delivery.pk), follow=True)

    assert "The webhook is disabled: enable it, then redeliver." in response.content.decode()
    assert client.post(url("redeliver", webhook, 987_654)).status_code == HTTPStatus.NOT_FOUND
    jobs()
    assert len(receiver.received) == 1


def test_the_log_shows_20_deliveries_a_page_in_a_constant_number_of_queries(
    staff_author, make_webhook, django_assert_max_num_queries
):
    webhook = make_webhook(owner=staff_author)
    for _ in range(25):
        services.webhook_ping(webhook=webhook)
    client = signed_in(staff_author)

    with django_assert_max_num_queries(15):
        first = log_section(client.get(url("change", webhook)))
    second = log_section(client.get(url("change", webhook) + "?log_page=2"))

    assert first.count('class="delivery"') == 20 and second.count('class="delivery"') == 5
    assert "25 deliveries" in first
    assert "Page 1 of 2" in first and "?log_page=2#delivery-log" in first


# ------------------------------------------------------------------------------ rotate the secret


def test_rotating_asks_first_then_shows_the_new_secret_once(staff_author, make_webhook):
    webhook = make_webhook(owner=staff_author)
    client = signed_in(staff_author)

    confirmation = client.get(url("rotate", webhook)).content.decode()
    assert "The current secret keeps signing too for 24 hours" in confirmation
    assert "The next page shows the new secret, once." in confirmation
    response = client.post(url("rotate", webhook))

    assert response.status_code == HTTPStatus.OK
    assert "no-store" in response["Cache-Control"]
    (new,) = secrets_in(response)
    assert new != webhook.secret
    body = response.content.decode()
    assert "The previous secret keeps signing too for 24 hours" in body
    webhook.refresh_from_db()
    assert crypto.decrypt(webhook.secret_ciphertext)[0] == new
    assert crypto.decrypt(webhook.previous_secret_ciphertext)[0] == webhook.secret
    assert webhook.previous_secret_active()
    assert LogEntry.objects.get().change_message == "Rotated the signing secret."
    change = client.get(url("change", webhook)).content.decode()
    assert "The previous secret also signs every delivery, as a second signature, until" in change
    assert secrets_in(client.get(url("change", webhook))) == []


def test_rotating_again_within_24_hours_warns_that_the_oldest_secret_stops_now(staff_author, make_webhook):
    webhook = make_webhook(owner=staff_author)
    services.webhook_rotate_secret(webhook=webhook, by=staff_author)

    confirmation = signed_in(staff_author).get(url("rotate", webhook)).content.decode()

    assert "The secret before the current one, which would have signed until" in confirmation


def test_a_rotated_secret_from_the_admin_signs_beside_the_old_one(staff_author, receiver, make_webhook, jobs):
    webhook = make_webhook(owner=staff_author, url=receiver.url)
    (new,) = secrets_in(signed_in(staff_author).post(url("rotate", webhook)))
    services.webhook_ping(webhook=webhook)
    jobs()

    (request,) = receiver.wait_for(1)
    Verifier(new).verify(request.body, request.headers)
    Verifier(webhook.secret).verify(request.body, request.headers)


# ------------------------------------------------------------------------------ delete


def test_delete_asks_first_says_what_is_lost_and_offers_to_disable(staff_author, make_webhook, caplog):
    webhook = make_webhook(owner=staff_author)
    for _ in range(2):
        services.webhook_ping(webhook=webhook)
    client = signed_in(staff_author)

    body = client.get(url("delete", webhook)).content.decode()
    assert "Its delivery log is deleted with it, and this cannot be undone" in body
    assert "<li>Deliveries: 2</li>" in body and "<li>Delivery attempts: 0</li>" in body
    assert 'id="disable-instead"' in body and url("disable", webhook) in body
    caplog.clear()
    response = client.post(url("delete", webhook), {"post": "yes"})

    assert response.status_code == HTTPStatus.FOUND
    assert not Webhook.objects.exists() and not Delivery.objects.exists()
    assert [record.msg for record in caplog.records if record.name == "polycms.audit"] == ["webhook.deleted"]
    assert LogEntry.objects.get().action_flag == DELETION
