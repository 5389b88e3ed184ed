from http import HTTPStatus

import pytest

pytestmark = pytest.mark.django_db

POST_BODY = {"title": "Hello", "content_raw": {"blocks": []}}


def test_read_token_cannot_write(editor, token_client):
    client = token_client(editor, abilities=["read"])
    assert client.get("/api/v1/posts").status_code == HTTPStatus.OK
    assert client.get("/api/v1/user").status_code == HTTPStatus.OK
    response = client.post("/api/v1/posts", POST_BODY, format="json")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["error"]["code"] == "permission_denied"
    assert "posts:write" in response.json()["error"]["message"]


def test_posts_read_token_reads_posts_only(editor, token_client):
    client = token_client(editor, abilities=["posts:read"])
    assert client.get("/api/v1/posts").status_code == HTTPStatus.OK
    assert client.get("/api/v1/user").status_code == HTTPStatus.FORBIDDEN
    assert client.post("/api/v1/posts", POST_BODY, format="json").status_code == HTTPStatus.FORBIDDEN


def test_posts_write_token_reads_and_writes_posts(editor, token_client):
    client = token_client(editor, abilities=["posts:write"])
    assert client.post("/api/v1/posts", POST_BODY, format="json").status_code == HTTPStatus.CREATED
    assert client.get("/api/v1/posts").status_code == HTTPStatus.OK


def test_user_read_token_reads_only_the_user(editor, token_client):
    client = token_client(editor, abilities=["user:read"])
    assert client.get("/api/v1/user").status_code == HTTPStatus.OK
    assert client.get("/api/v1/posts").status_code == HTTPStatus.FORBIDDEN


def test_abilities_never_grant_what_the_owner_lacks(user, token_client):
    response = token_client(user, abilities=["*"]).post("/api/v1/posts", POST_BODY, format="json")
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_author_token_cannot_do_what_only_an_editor_may(author, editor, token_client):
    as_editor, as_author = token_client(editor), token_client(author)
    editors_post = as_editor.post("/api/v1/posts", POST_BODY, format="json").json()["data"]
    url = f"/api/v1/posts/{editors_post['id']}"
    response = as_author.patch(url, {"title": "Mine now"}, format="json")
    assert response.status_code == HTTPStatus.NOT_FOUND  # an author cannot even see an editor's draft
    as_editor.patch(url, {"status": "published"}, format="json")
    response = as_author.patch(url, {"title": "Mine now"}, format="json")
    assert response.status_code == HTTPStatus.FORBIDDEN
