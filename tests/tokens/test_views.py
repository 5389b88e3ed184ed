"""Token self-service (/api/v1/tokens): session sign-in only, the caller's own tokens."""

from http import HTTPStatus

import pytest

from tokens import crypto
from tokens.models import PersonalAccessToken

pytestmark = pytest.mark.django_db


def test_create_returns_the_plaintext_once(user, session_client):
    client = session_client(user)
    response = client.post("/api/v1/tokens", {"name": "Mobile App", "abilities": ["read"]}, format="json")
    assert response.status_code == HTTPStatus.CREATED
    assert response["Cache-Control"] == "no-store"
    data = response.json()["data"]
    assert crypto.is_well_formed(data["token"])
    assert data["hint"] == f"pcms_…{data['token'][-4:]}" and data["abilities"] == ["read"]
    assert response["Location"].endswith(f"/api/v1/tokens/{data['id']}")

    listed = client.get("/api/v1/tokens").content + client.get(f"/api/v1/tokens/{data['id']}").content
    assert data["token"].encode() not in listed
    assert b"digest" not in listed


def test_list_shows_only_own_tokens(user, make_user, make_token, session_client):
    make_token(user, name="mine")
    make_token(make_user("bob"), name="bobs")
    names = [t["name"] for t in session_client(user).get("/api/v1/tokens").json()["data"]]
    assert names == ["mine"]


def test_other_users_token_is_404(user, make_user, make_token, session_client):
    theirs, _ = make_token(make_user("bob"))
    client = session_client(user)
    assert client.get(f"/api/v1/tokens/{theirs.pk}").status_code == HTTPStatus.NOT_FOUND
    assert client.delete(f"/api/v1/tokens/{theirs.pk}").status_code == HTTPStatus.NOT_FOUND
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_delete_revokes_and_the_token_stops_working(user, make_token, session_client, api_client):
    token, plaintext = make_token(user)
    assert session_client(user).delete(f"/api/v1/tokens/{token.pk}").status_code == HTTPStatus.NO_CONTENT
    token.refresh_from_db()
    assert token.status == "revoked" and token.revoked_by == user
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert api_client.get("/api/v1/user").status_code == HTTPStatus.UNAUTHORIZED


def test_bearer_tokens_cannot_manage_tokens(user, token_client):
    client = token_client(user)
    for response in (
        client.get("/api/v1/tokens"),
        client.post("/api/v1/tokens", {"name": "minted"}, format="json"),
        client.delete(f"/api/v1/tokens/{PersonalAccessToken.objects.get().pk}"),
    ):
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert "Sign in" in response.json()["error"]["message"]
    assert PersonalAccessToken.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": ""}, "name"), ({"name": "x", "abilities": ["root"]}, "abilities[0]"), ({"abilities": ["*"]}, "name")],
)
def test_invalid_creation_is_422(user, session_client, body, field):
    response = session_client(user).post("/api/v1/tokens", body, format="json")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert field in response.json()["error"]["details"]


def test_duplicate_active_name_is_422(user, make_token, session_client):
    make_token(user, name="Zapier")
    response = session_client(user).post("/api/v1/tokens", {"name": "Zapier"}, format="json")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "name" in response.json()["error"]["details"]
