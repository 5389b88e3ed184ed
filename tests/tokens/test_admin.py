"""The API tokens admin: create (plaintext shown once), list, filter, revoke, never delete; the user
admin's action."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tokens import crypto
from tokens.models import PersonalAccessToken
from tokens.services import token_revoke

# Case-insensitive: a message capitalised by the admin must still count.
PLAINTEXT = re.compile(r"pcms_[0-9A-Za-z]{46}", re.IGNORECASE)
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
CHANGELIST = "admin:tokens_personalaccesstoken_changelist"
ADD = "admin:tokens_personalaccesstoken_add"


def url(name: str, token: PersonalAccessToken | None = None) -> str:
    if name in ("changelist", "add"):
        return reverse(f"admin:tokens_personalaccesstoken_{name}")
    return reverse(f"admin:tokens_personalaccesstoken_{name}", args=[token.pk])


def create_through_admin(client: Client, **fields):
    data = {"name": "Zapier Integration", "abilities": ["*"], "expires_in": "30", "expires_on": "", **fields}
    return client.post(url("add"), data)


def plaintexts_in(response) -> list[str]:
    return PLAINTEXT.findall(response.content.decode())


def user_endpoint_status(plaintext: str) -> int:
    return APIClient().get("/api/v1/user", HTTP_AUTHORIZATION=f"Bearer {plaintext}").status_code


def revoke_action(client: Client, *tokens: PersonalAccessToken):
    return client.post(
        url("changelist"), {"action": "revoke_selected", "_selected_action": [t.pk for t in tokens], "index": 0}
    )


def listed(client: Client, query: str = "") -> list[PersonalAccessToken]:
    response = client.get(url("changelist") + query)
    assert response.status_code == HTTPStatus.OK
    return list(response.context["cl"].result_list)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


# ------------------------------------------------------------------------------ navigation


def test_admin_index_and_user_tools_link_to_api_tokens(admin_client):
    body = admin_client.get(reverse("admin:index")).content.decode()

    user_tools = body.split('id="user-tools"', 1)[1].split("</div>", 1)[0]
    assert f'<a href="{url("changelist")}">API tokens</a>' in user_tools
    assert "Change password" in user_tools
    content = body.split('id="content-main"', 1)[1]
    assert "API tokens" in content
    assert url("changelist") in content


def test_every_staff_user_finds_api_tokens_without_any_permission(make_user):
    client = Client()
    client.force_login(make_user("sam", is_staff=True))

    body = client.get(reverse("admin:index")).content.decode()

    user_tools = body.split('id="user-tools"', 1)[1].split("</div>", 1)[0]
    assert url("changelist") in user_tools
    assert url("changelist") in body.split('id="content-main"', 1)[1]
    assert client.get(url("changelist")).status_code == HTTPStatus.OK
    assert client.get(url("add")).status_code == HTTPStatus.OK


def test_an_author_without_token_permissions_is_offered_api_tokens_on_the_index(make_user):
    author = make_user("ann", role="Author", is_staff=True)
    assert not any(perm.startswith("tokens.") for perm in author.get_all_permissions())
    client = Client()
    client.force_login(author)

    response = client.get(reverse("admin:index"))

    (section,) = [app for app in response.context["app_list"] if app["app_label"] == "tokens"]
    (tokens,) = [model for model in section["models"] if model["object_name"] == "PersonalAccessToken"]
    assert section["name"] == "API access"
    assert tokens["perms"] == {"add": True, "change": False, "delete": False, "view": True}
    assert (tokens["admin_url"], tokens["add_url"]) == (url("changelist"), url("add"))


def test_an_author_creates_uses_and_revokes_their_own_token(make_user):
    author = make_user("ann", role="Author", is_staff=True)
    client = Client()
    client.force_login(author)

    (plaintext,) = plaintexts_in(create_through_admin(client))
    token = PersonalAccessToken.objects.get()
    assert token.owner == author
    assert listed(client) == [token]
    assert user_endpoint_status(plaintext) == HTTPStatus.OK
    assert client.post(url("revoke", token)).status_code == HTTPStatus.FOUND

    assert user_endpoint_status(plaintext) == HTTPStatus.UNAUTHORIZED


# ------------------------------------------------------------------------------ create


def test_create_form_offers_name_abilities_and_expiry_choices(admin_client):
    response = admin_client.get(url("add"))

    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert "Create New Token" in body
    assert 'name="name"' in body
    assert re.search(r'<input type="checkbox" name="abilities" value="\*"[^>]*checked', body)
    for ability in ("read", "posts:read", "posts:write", "user:read"):
        assert f'name="abilities" value="{ability}"' in body
    for choice in ("7", "30", "90", "365", "date", "never"):
        assert f'name="expires_in" value="{choice}"' in body
    assert re.search(r'name="expires_in" value="30"[^>]*checked', body)
    assert "_addanother" not in body


def test_creating_a_token_shows_its_plaintext_once_and_uncacheable(admin_client, admin_user, frozen):
    response = create_through_admin(admin_client, name="Mobile App", abilities=["posts:read", "user:read"])

    assert response.status_code == HTTPStatus.OK
    assert "no-store" in response["Cache-Control"]
    found = plaintexts_in(response)
    assert len(found) == 1
    assert crypto.is_well_formed(found[0])
    body = response.content.decode()
    assert "will not be shown again" in body
    assert "tokens/token_created.js" in body  # the copy button
    token = PersonalAccessToken.objects.get()
    assert (token.owner, token.name, token.abilities) == (admin_user, "Mobile App", ["posts:read", "user:read"])
    assert token.expires_at == NOW + timedelta(days=30)
    assert token.digest == crypto.digest(found[0])


def test_token_created_in_the_admin_authenticates_its_owner(admin_client, admin_user):
    (plaintext,) = plaintexts_in(create_through_admin(admin_client))

    response = APIClient().get("/api/v1/user", HTTP_AUTHORIZATION=f"Bearer {plaintext}")

    assert response.status_code == HTTPStatus.OK
    assert response.json()["data"]["username"] == admin_user.username


@pytest.mark.parametrize(
    ("fields", "expires_at"),
    [
        ({"expires_in": "7"}, NOW + timedelta(days=7)),
        ({"expires_in": "90"}, NOW + timedelta(days=90)),
        ({"expires_in": "365"}, NOW + timedelta(days=365)),
        ({"expires_in": "never"}, None),
        ({"expires_in": "date", "expires_on": "2030-01-02"}, datetime(2030, 1, 2, tzinfo=UTC)),
    ],
)
def test_expiry_choice_sets_the_expiry(admin_client, frozen, fields, expires_at):
    response = create_through_admin(admin_client, **fields)

    assert response.status_code == HTTPStatus.OK
    assert PersonalAccessToken.objects.get().expires_at == expires_at


def test_plaintext_and_digest_appear_nowhere_after_creation(admin_client):
    (plaintext,) = plaintexts_in(create_through_admin(admin_client))
    token = PersonalAccessToken.objects.get()
    secrets = (plaintext, token.digest)

    pages = [
        url("changelist"),
        url("changelist") + f"?q={token.hint}",
        url("change", token),
        url("history", token),
        reverse("admin:index"),
    ]
    for page in pages:
        response = admin_client.get(page)
        assert response.status_code == HTTPStatus.OK, page
        body = response.content.decode()
        assert not any(secret in body for secret in secrets), page

    entries = list(LogEntry.objects.values())
    assert [(e["action_flag"], e["object_id"]) for e in entries] == [(ADDITION, str(token.pk))]
    assert entries[0]["change_message"].startswith("Created token “Zapier Integration”")
    assert not any(secret in str(entries) for secret in secrets)
    for session in Session.objects.all():
        stored = f"{session.session_data} {session.get_decoded()}"
        assert not any(secret in stored for secret in secrets)
    cookies = " ".join(morsel.value for morsel in admin_client.cookies.values())
    assert not any(secret in cookies for secret in secrets)


def test_resubmitting_the_creation_form_does_not_show_a_token_again(admin_client):
    create_through_admin(admin_client)

    again = create_through_admin(admin_client)

    assert again.status_code == HTTPStatus.OK
    assert plaintexts_in(again) == []
    assert "You already have an active token with this name." in again.content.decode()
    assert PersonalAccessToken.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"name": "  "}, "This field is required."),
        ({"abilities": []}, "This field is required."),
        ({"abilities": ["posts:delete"]}, "Select a valid choice."),
        ({"expires_in": "date"}, "Pick the date the token expires on."),
        ({"expires_in": "30", "expires_on": "2030-01-02"}, "Expiration is “30 days”: to expire on this date, choose"),
        ({"expires_in": "never", "expires_on": "2030-01-02"}, "Expiration is “Never”: to expire on this date, choose"),
        ({"expires_in": "date", "expires_on": "2025-06-01"}, "The expiry must be in the future."),
        ({"expires_in": "12"}, "Select a valid choice."),
    ],
)
def test_invalid_creation_is_refused_on_the_form(admin_client, frozen, fields, error):
    response = create_through_admin(admin_client, **fields)

    assert response.status_code == HTTPStatus.OK
    body = response.content.decode()
    assert error in body
    assert 'class="errornote"' in body
    assert plaintexts_in(response) == []
    assert not PersonalAccessToken.objects.exists()


@pytest.mark.parametrize("fields", [{"expires_in": "date"}, {"expires_in": "7", "expires_on": "2030-01-02"}])
def test_expiry_choice_and_date_that_disagree_are_an_error_on_the_date_field(admin_client, fields):
    response = create_through_admin(admin_client, **fields)

    assert list(response.context["adminform"].form.errors) == ["expires_on"]


def test_name_clash_with_an_active_token_is_refused_on_the_form(admin_client, admin_user, make_token):
    make_token(admin_user, name="Zapier Integration")

    response = create_through_admin(admin_client)

    assert "You already have an active token with this name." in response.content.decode()
    assert plaintexts_in(response) == []
    assert PersonalAccessToken.objects.count() == 1


def test_tokens_created_in_the_admin_belong_to_the_signed_in_user(staff_member, user):
    client = Client()
    client.force_login(staff_member)

    create_through_admin(client, owner=user.pk)

    assert PersonalAccessToken.objects.get().owner == staff_member


# ------------------------------------------------------------------------------ list


def test_changelist_shows_token_columns(admin_client, user, make_token):
    token, _ = make_token(user, name="Mobile App", abilities=["posts:read"])

    body = admin_client.get(url("changelist")).content.decode()

    for text in ("Mobile App", user.username, token.display_hint, "posts:read", "Never", "Active"):
        assert text in body
    assert "Create New Token" in body


def status_of_rows(body: str, *tokens: PersonalAccessToken) -> list[str]:
    """The status badge of each token's row in a changelist page, told apart by the token's hint."""
    rows = body.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr")[1:]
    found = []
    for token in tokens:
        (row,) = [row for row in rows if token.display_hint in row]
        found.append(re.search(r'<span class="token-status token-status-(\w+)">(\w+)</span>', row).groups())
    return found


def test_list_badges_tell_apart_active_expired_and_revoked_tokens_of_one_name(
    admin_client, admin_user, user, make_token, frozen
):
    revoked, _ = make_token(user, name="Zapier Integration")
    token_revoke(token=revoked, by=admin_user)
    active, _ = make_token(user, name="Zapier Integration")
    expired, _ = make_token(user, name="Nightly export", expires_at=NOW + timedelta(days=1))

    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        body = admin_client.get(url("changelist")).content.decode()

    assert status_of_rows(body, active, expired, revoked) == [
        ("active", "Active"),
        ("expired", "Expired"),
        ("revoked", "Revoked"),
    ]
    assert body.count(">2025-06-01</time>") == 3  # the created day, in a column that fits at 1280 px
    assert 'title="June 1, 2025, noon"' in body  # the full time as the tooltip
    assert "tokens/admin.css" in body


def test_owner_column_and_filter_only_for_those_who_see_everyones_tokens(staff_member, token_manager, make_token):
    make_token(staff_member)
    columns = {}
    for who in (staff_member, token_manager):
        client = Client()
        client.force_login(who)
        columns[who] = client.get(url("changelist")).context["cl"].list_display

    assert "owner" not in columns[staff_member]
    assert "owner" in columns[token_manager]
    assert columns[staff_member][1:3] == ["name_and_hint", "status_badge"]


def test_change_page_shows_the_token_read_only(admin_client, user, make_token, frozen):
    expiry = datetime(2030, 1, 2, tzinfo=UTC)
    token, _ = make_token(user, name="Mobile App", abilities=["posts:read"], expires_at=expiry)

    body = admin_client.get(url("change", token)).content.decode()

    for text in ("Mobile App", user.username, token.display_hint, "posts:read", "Jan. 2, 2030", "Never"):
        assert text in body
    assert '<span class="token-status token-status-active">Active</span>' in body
    assert "None" not in body
    assert reverse("admin:auth_user_change", args=[user.pk]) not in body  # a name, not a link most staff can't open
    assert "tokens/admin.css" in body
    assert not re.search(r'<(input|textarea|select)[^>]*name="(name|abilities|expires_at)"', body)
    assert "Revocation" not in body
    assert url("revoke", token) in body


@pytest.mark.parametrize("status", ["active", "expired", "revoked"])
def test_status_filter_lists_tokens_in_that_state(admin_client, admin_user, user, make_token, status):
    tokens = {
        "active": make_token(user, name="active")[0],
        "expired": make_token(user, name="expired")[0],
        "revoked": make_token(user, name="revoked")[0],
    }
    PersonalAccessToken.objects.filter(pk=tokens["expired"].pk).update(expires_at=datetime(2020, 1, 1, tzinfo=UTC))
    token_revoke(token=tokens["revoked"], by=admin_user)

    assert listed(admin_client, f"?status={status}") == [tokens[status]]


def test_search_matches_name_and_owner_username(admin_client, user, make_user, make_token):
    mine, _ = make_token(user, name="Mobile App")
    bobs, _ = make_token(make_user("bob"), name="Zapier Integration")

    assert listed(admin_client, "?q=mobile") == [mine]
    assert listed(admin_client, "?q=bob") == [bobs]


@pytest.mark.parametrize("lookup", ["digest", "digest__startswith"])
def test_digest_cannot_be_used_as_a_changelist_filter(admin_client, user, make_token, lookup):
    token, _ = make_token(user)

    response = admin_client.get(url("changelist"), {lookup: token.digest[:1] if "__" in lookup else token.digest})

    assert response.status_code == HTTPStatus.BAD_REQUEST


# ------------------------------------------------------------------------------ revoke


def test_revoke_action_refuses_the_token_from_the_next_request(admin_client, admin_user, user, make_token):
    token, plaintext = make_token(user)
    _, other_plaintext = make_token(user, name="other")
    assert user_endpoint_status(plaintext) == HTTPStatus.OK

    response = revoke_action(admin_client, token)

    assert response.status_code == HTTPStatus.FOUND
    assert user_endpoint_status(plaintext) == HTTPStatus.UNAUTHORIZED
    assert user_endpoint_status(other_plaintext) == HTTPStatus.OK
    token.refresh_from_db()
    assert token.revoked_by == admin_user
    entry = LogEntry.objects.get()
    assert (entry.action_flag, entry.object_id, entry.change_message) == (CHANGE, str(token.pk), "Revoked")
    assert "Revoked 1 token." in admin_client.get(url("changelist")).content.decode()


def test_revoke_button_confirms_then_revokes(admin_client, admin_user, user, make_token):
    token, plaintext = make_token(user)
    assert url("revoke", token) in admin_client.get(url("change", token)).content.decode()

    confirmation = admin_client.get(url("revoke", token))

    assert confirmation.status_code == HTTPStatus.OK
    assert "Yes, revoke it" in confirmation.content.decode()
    assert user_endpoint_status(plaintext) == HTTPStatus.OK

    response = admin_client.post(url("revoke", token))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == url("change", token)
    assert user_endpoint_status(plaintext) == HTTPStatus.UNAUTHORIZED
    token.refresh_from_db()
    assert token.revoked_by == admin_user
    assert LogEntry.objects.get(action_flag=CHANGE).change_message == "Revoked"


def test_revoke_button_needs_a_csrf_token(admin_user, user, make_token):
    token, plaintext = make_token(user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)

    response = client.post(url("revoke", token))

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert user_endpoint_status(plaintext) == HTTPStatus.OK


def test_revoked_token_stays_listed_read_only_with_revoker(admin_client, admin_user, user, make_token):
    token, _ = make_token(user)
    admin_client.post(url("revoke", token))

    page = admin_client.get(url("change", token))
    response = admin_client.post(url("change", token), {"name": "Renamed", "abilities": ["read"]})

    body = page.content.decode()
    assert 'name="name"' not in body
    assert url("revoke", token) not in body
    assert "Revoked by" in body
    assert admin_user.username in body.split("Revoked by", 1)[1]
    assert response.status_code == HTTPStatus.FORBIDDEN
    token.refresh_from_db()
    assert (token.name, token.abilities) == ("Zapier Integration", ["*"])
    assert listed(admin_client, "?status=revoked") == [token]


def test_active_token_cannot_be_edited(admin_client, user, make_token):
    token, _ = make_token(user)

    response = admin_client.post(url("change", token), {"name": "Renamed", "abilities": ["read"]})

    assert response.status_code == HTTPStatus.FORBIDDEN
    token.refresh_from_db()
    assert token.name == "Zapier Integration"


def test_revoking_a_revoked_token_again_changes_nothing(admin_client, admin_user, make_user, user, make_token):
    token, _ = make_token(user)
    token_revoke(token=token, by=make_user("bob"))

    response = admin_client.post(url("revoke", token))

    assert response.status_code == HTTPStatus.FOUND
    token.refresh_from_db()
    assert token.revoked_by.username == "bob"
    assert not LogEntry.objects.exists()


# ------------------------------------------------------------------------------ who sees what


def test_staff_see_and_revoke_only_their_own_tokens(staff_member, user, make_token):
    own, own_plaintext = make_token(staff_member)
    others, others_plaintext = make_token(user)
    client = Client()
    client.force_login(staff_member)

    assert listed(client) == [own]
    assert client.get(url("change", others)).status_code == HTTPStatus.FOUND  # "doesn't exist", back to index
    assert client.get(url("revoke", others)).status_code == HTTPStatus.NOT_FOUND
    assert client.post(url("revoke", others)).status_code == HTTPStatus.NOT_FOUND
    revoke_action(client, own, others)

    assert user_endpoint_status(own_plaintext) == HTTPStatus.UNAUTHORIZED
    assert user_endpoint_status(others_plaintext) == HTTPStatus.OK
    filters = [spec.title for spec in client.get(url("changelist")).context["cl"].filter_specs]
    assert filters == ["status"]


@pytest.mark.parametrize("page", ["change", "history", "revoke", "delete"])
def test_another_users_token_answers_as_a_missing_one_would(staff_member, user, make_token, page):
    others, _ = make_token(user, name="Bob's secret integration")
    client = Client()
    client.force_login(staff_member)

    answers = []
    for token in (others, PersonalAccessToken(pk=987_654)):
        response = client.get(url(page, token), follow=True)
        body = response.content.decode().replace(f"“{token.pk}”", "“<id>”").replace(f"/{token.pk}/", "/<id>/")
        body = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", body)
        answers.append((response.status_code, response.redirect_chain, body))

    assert answers[0] == answers[1]
    assert others.name not in answers[0][2]
    assert others.display_hint not in answers[0][2]


def test_revoke_any_token_permission_shows_and_revokes_everyones(token_manager, user, make_token):
    own, _ = make_token(token_manager)
    others, others_plaintext = make_token(user)
    client = Client()
    client.force_login(token_manager)

    assert set(listed(client)) == {own, others}
    assert client.get(url("change", others)).status_code == HTTPStatus.OK
    revoke_action(client, others)

    assert user_endpoint_status(others_plaintext) == HTTPStatus.UNAUTHORIZED
    filters = [spec.title for spec in client.get(url("changelist")).context["cl"].filter_specs]
    assert filters == ["status", "owner"]
    assert listed(client, f"?owner__id__exact={user.pk}") == [others]


# ------------------------------------------------------------------------------ never deleted


def test_nobody_deletes_a_token_in_the_admin_not_even_a_superuser(admin_client, token_manager, grant, user, make_token):
    token, _ = make_token(user)
    grant(token_manager, "tokens.delete_personalaccesstoken")
    manager_client = Client()
    manager_client.force_login(token_manager)

    for client in (admin_client, manager_client):
        assert client.get(url("delete", token)).status_code == HTTPStatus.FORBIDDEN
        assert client.post(url("delete", token), {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
        listing = client.get(url("changelist"))
        assert [name for name, _ in listing.context["action_form"].fields["action"].choices] == ["", "revoke_selected"]
        client.post(url("changelist"), {"action": "delete_selected", "_selected_action": [token.pk], "post": "yes"})
        assert 'class="deletelink"' not in client.get(url("change", token)).content.decode()
    assert PersonalAccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).exists()


def test_a_user_who_still_has_tokens_is_not_deleted_in_the_admin(admin_client, user, make_token):
    token, _ = make_token(user)
    token_revoke(token=token, by=user)  # even revoked: the revocation is a record until prunetokens

    page = admin_client.get(reverse("admin:auth_user_delete", args=[user.pk]))
    response = admin_client.post(reverse("admin:auth_user_delete", args=[user.pk]), {"post": "yes"})

    assert page.context["perms_lacking"] == {"API token"}  # "your account doesn't have permission to delete"
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert PersonalAccessToken.objects.filter(pk=token.pk, owner=user).exists()


# ------------------------------------------------------------------------------ user admin


def revoke_users_tokens(client: Client, *users):
    return client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "revoke_api_tokens", "_selected_action": [u.pk for u in users], "index": 0},
    )


def test_user_admin_action_revokes_every_token_of_the_selected_users(admin_client, make_user, make_token):
    alice, bob, carol = make_user("alice"), make_user("bob"), make_user("carol")
    revoked = [make_token(alice, name="one")[0], make_token(alice, name="two")[0], make_token(bob)[0]]
    kept, _ = make_token(carol)

    response = revoke_users_tokens(admin_client, alice, bob)

    assert response.status_code == HTTPStatus.FOUND
    assert set(PersonalAccessToken.objects.revoked()) == set(revoked)
    assert kept.is_active()
    assert LogEntry.objects.filter(action_flag=CHANGE, change_message="Revoked").count() == 3
    assert "Revoked 3 API tokens." in admin_client.get(reverse("admin:auth_user_changelist")).content.decode()


def test_user_admin_action_needs_revoke_any_token(make_user, grant, make_token):
    user_manager = grant(make_user("uma", is_staff=True), "auth.view_user", "auth.change_user")
    token, _ = make_token(make_user("alice"))
    client = Client()
    client.force_login(user_manager)

    assert "revoke_api_tokens" not in client.get(reverse("admin:auth_user_changelist")).content.decode()
    revoke_users_tokens(client, token.owner)
    assert not PersonalAccessToken.objects.revoked().exists()

    grant(user_manager, "tokens.revoke_any_token")
    revoke_users_tokens(client, token.owner)
    assert PersonalAccessToken.objects.revoked().get() == token
