"""Posts' featured_media: written as a media id, read as the item with its renditions, in lists without a query per
post; an image block of the content holds an uploaded image's URL."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from posts.models import Post
from tests.media.conftest import image_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(session_client, editor, upload, jobs, django_capture_on_commit_callbacks) -> dict:
    media = upload(session_client(editor), image_bytes(), "cover.jpg", alt_text="Cover").json()["data"]
    jobs()
    return session_client(editor).get(f"/api/v1/media/{media['id']}").json()["data"]


def test_featured_media_is_written_as_an_id_and_read_as_the_item(photo, session_client, author):
    client = session_client(author)
    response = client.post("/api/v1/posts", {"title": "Hello", "featured_media": photo["id"]}, format="json")
    assert response.status_code == HTTPStatus.CREATED, response.content
    featured = response.json()["data"]["featured_media"]
    assert featured["id"] == photo["id"] and featured["alt_text"] == "Cover"
    assert featured["url"] == photo["url"] and featured["url"].startswith("http://testserver/media/")
    assert featured["renditions"]["thumbnail"]["status"] == "ready"
    assert featured["renditions"] == photo["renditions"]


def test_featured_media_in_lists_and_items_agree_without_a_query_per_post(photo, session_client, author, api_client):
    client = session_client(author)
    for index in range(3):
        body = {"title": f"P{index}", "status": "published", "featured_media": photo["id"]}
        assert client.post("/api/v1/posts", body, format="json").status_code == HTTPStatus.CREATED
    client.post("/api/v1/posts", {"title": "Plain", "status": "published"}, format="json")
    api_client.get("/api/v1/posts")  # the list's count is cached under its validator
    with CaptureQueriesContext(connection) as few:
        api_client.get("/api/v1/posts?per_page=1")
    with CaptureQueriesContext(connection) as many:
        listed = api_client.get("/api/v1/posts?per_page=4").json()["data"]
    assert len(many) <= len(few)
    assert [post["featured_media"] and post["featured_media"]["id"] for post in listed] == [None, *[photo["id"]] * 3]
    item = api_client.get(f"/api/v1/posts/{listed[1]['id']}").json()["data"]
    assert item["featured_media"] == listed[1]["featured_media"]


def test_featured_media_can_be_cleared(photo, session_client, author):
    client = session_client(author)
    post = client.post("/api/v1/posts", {"title": "x", "featured_media": photo["id"]}, format="json").json()["data"]
    response = client.patch(f"/api/v1/posts/{post['id']}", {"featured_media": None}, format="json")
    assert response.json()["data"]["featured_media"] is None
    assert Post.objects.get(pk=post["id"]).featured_media_id is None


@pytest.mark.parametrize("value", [999, "abc", True, [1]])
def test_unknown_or_invalid_featured_media_is_422(session_client, author, value):
    response = session_client(author).post("/api/v1/posts", {"title": "x", "featured_media": value}, format="json")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "featured_media" in response.json()["error"]["details"]


def test_a_document_cannot_be_featured(session_client, author, upload):
    pdf = upload(session_client(author), pdf_bytes(), "a.pdf").json()["data"]
    response = session_client(author).post("/api/v1/posts", {"title": "x", "featured_media": pdf["id"]}, format="json")
    assert "must be an image" in str(response.json()["error"]["details"]["featured_media"])


def test_an_uploaded_image_goes_into_an_image_block(photo, session_client, author):
    content = {"blocks": [{"type": "image", "data": {"file": {"url": photo["url"]}, "caption": "Cover"}}]}
    response = session_client(author).post("/api/v1/posts", {"title": "x", "content_raw": content}, format="json")
    assert response.status_code == HTTPStatus.CREATED, response.content
    assert f'<img src="{photo["url"]}"' in response.json()["data"]["content_html"]
