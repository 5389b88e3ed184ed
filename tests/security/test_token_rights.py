"""Attack surface: two rules for one right. Any signed-in user could create tokens through the API
while the admin demanded model permissions (and its add view skipped the view check). Defence: one rule
in ``tokens.policies`` that both use: everyone manages their own tokens; others' tokens need
``tokens.revoke_any_token``."""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from tokens.models import PersonalAccessToken

pytestmark = pytest.mark.django_db


def admin_url(name: str, *args) -> str:
    return reverse(f"admin:tokens_personalaccesstoken_{name}", args=args)


def create_in_admin(client: Client, name: str = "Zapier"):
    return client.post(admin_url("add"), {"name": name, "abilities": ["*"], "expires_in": "30"})


@pytest.fixture
def author_staff(make_user):
    return make_user("ann", role="Author", is_staff=True)


def test_an_author_creates_and_revokes_their_own_token_in_the_admin(author_staff):
    client = Client()
    client.force_login(author_staff)
    assert create_in_admin(client).status_code == HTTPStatus.OK
    token = PersonalAccessToken.objects.get(owner=author_staff)
    assert client.post(admin_url("revoke", token.pk)).status_code == HTTPStatus.FOUND
    token.refresh_from_db()
    assert token.is_revoked()


def test_the_same_author_creates_one_through_the_api(author_staff, session_client):
    response = session_client(author_staff).post("/api/v1/tokens", {"name": "Zapier"}, format="json")
    assert response.status_code == HTTPStatus.CREATED


def test_nobody_sees_or_revokes_another_users_token_without_revoke_any(author_staff, make_user, make_token):
    other, _ = make_token(make_user("bob"))
    client = Client()
    client.force_login(author_staff)
    assert other.name not in client.get(admin_url("changelist")).content.decode()
    assert client.get(admin_url("change", other.pk)).status_code == HTTPStatus.FOUND  # "doesn't exist" redirect
    assert client.post(admin_url("revoke", other.pk)).status_code == HTTPStatus.NOT_FOUND
    other.refresh_from_db()
    assert not other.is_revoked()


def test_revoke_any_permission_reaches_other_users_tokens(make_user, make_token, grant_revoke_any):
    manager = grant_revoke_any(make_user("tom", is_staff=True))
    other, _ = make_token(make_user("bob"))
    client = Client()
    client.force_login(manager)
    assert client.post(admin_url("revoke", other.pk)).status_code == HTTPStatus.FOUND
    other.refresh_from_db()
    assert other.is_revoked()


def test_an_inactive_user_manages_no_tokens(make_user):
    from tokens import policies

    assert not policies.can_manage_own_tokens(make_user("gone", is_active=False))


@pytest.fixture
def grant_revoke_any():
    from django.contrib.auth.models import Permission

    def grant(user):
        user.user_permissions.add(Permission.objects.get(codename="revoke_any_token"))
        return user

    return grant
