"""/api/v1/media: uploads in both forms, hostile files, the size limit, the list, edits, deletion, who may do what."""

from __future__ import annotations

import io
import re
from http import HTTPStatus
from urllib.parse import unquote

import pytest
from django.test import Client

from media.models import Media
from media.uploads import MULTIPART_OVERHEAD_BYTES, LimitedUploadHandler
from posts.models import Post
from tests.concurrency import bearer
from tests.media.conftest import image_bytes, pdf_bytes, stored_files
from tests.media.test_files import HTML, SCRIPT, SVG_WITH_SCRIPT

pytestmark = pytest.mark.django_db


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


def created(response) -> dict:
    assert response.status_code == HTTPStatus.CREATED, response.content
    return response.json()["data"]


def raw_upload(client, content: bytes, content_type: str = "image/jpeg", filename: str | None = "photo.jpg", **extra):
    if filename is not None:
        extra["HTTP_CONTENT_DISPOSITION"] = f'attachment; filename="{filename}"'
    return client.generic("POST", "/api/v1/media", content, content_type=content_type, **extra)


# ---------------------------------------------------------------------------- uploads


def test_multipart_upload_answers_the_media_object(session_client, author, upload, media_root):
    data = created(
        upload(session_client(author), image_bytes(), "../../My holiday.jpg", alt_text="A beach", caption="Hi")
    )
    assert data["type"] == "image" and data["mime_type"] == "image/jpeg"
    assert (data["width"], data["height"]) == (800, 600)
    assert (data["alt_text"], data["caption"], data["name"]) == ("A beach", "Hi", "My-holiday.jpg")
    assert data["uploaded_by"] == {"id": author.pk, "username": "ann"}
    assert re.fullmatch(r"http://testserver/media/\d{4}/\d{2}/[0-9a-f]{8}-My-holiday\.jpg", data["url"])
    assert set(data["renditions_pending"]) == {"thumbnail", "thumbnail_webp", "medium", "medium_webp"}
    assert data["renditions"]["thumbnail"] == {"url": None, "width": 150, "height": 150, "status": "pending"}
    assert data["renditions"]["medium"] == {"url": None, "width": 500, "height": 375, "status": "pending"}
    (stored,) = stored_files(media_root)
    assert stored.name.endswith("-My-holiday.jpg") and ".." not in str(stored.relative_to(media_root))
    assert stored.stat().st_size == data["size"]


def test_location_names_the_new_item(session_client, author, upload):
    response = upload(session_client(author), image_bytes())
    assert response["Location"] == f"http://testserver/api/v1/media/{response.json()['data']['id']}"


def test_raw_body_upload_with_content_disposition(session_client, author, media_root):
    data = created(raw_upload(session_client(author), image_bytes("PNG"), "image/png", "Schéma 1.png"))
    assert (data["name"], data["mime_type"]) == ("Schéma-1.png", "image/png")
    assert len(stored_files(media_root)) == 1


def test_raw_body_upload_without_a_name_is_called_upload(session_client, author):
    assert created(raw_upload(session_client(author), pdf_bytes(), "application/pdf", None))["name"] == "upload.pdf"


def test_raw_upload_with_trailing_slash(session_client, author):
    client = session_client(author)
    response = client.generic("POST", "/api/v1/media/", image_bytes(), content_type="image/jpeg")
    assert response.status_code == HTTPStatus.CREATED


def test_client_content_type_is_ignored(session_client, author):
    assert created(raw_upload(session_client(author), image_bytes("PNG"), "image/jpeg", "x.jpg"))["name"] == "x.png"


@pytest.mark.parametrize(
    ("content", "name"),
    [(SVG_WITH_SCRIPT, "logo.svg"), (HTML, "photo.jpg"), (b"", "empty.jpg"), (b"hello", "notes.txt")],
    ids=["svg-with-script", "html-renamed-jpg", "zero-bytes", "text"],
)
def test_hostile_or_unknown_files_are_422_and_nothing_is_stored(
    session_client, author, upload, media_root, content, name
):
    body = error(upload(session_client(author), content, name), HTTPStatus.UNPROCESSABLE_ENTITY)
    assert body["code"] == "validation_error"
    assert stored_files(media_root) == [] and not Media.objects.exists()


def test_refusal_says_which_types_are_accepted(session_client, author, upload):
    body = error(upload(session_client(author), SVG_WITH_SCRIPT, "logo.svg"), HTTPStatus.UNPROCESSABLE_ENTITY)
    (message,) = body["details"]["file"]
    assert "accepted: image/jpeg, image/png, image/gif, image/webp" in message and "application/pdf" in message


def test_polyglot_jpeg_is_stored_without_its_script(session_client, author, upload, media_root):
    created(upload(session_client(author), image_bytes() + SCRIPT))
    (stored,) = stored_files(media_root)
    assert SCRIPT not in stored.read_bytes()


def test_decompression_bomb_is_422(session_client, author, upload, media_root):
    bomb = image_bytes("PNG", size=(20_000, 20_000), mode="1")
    assert "too many pixels" in str(error(upload(session_client(author), bomb, "b.png"), 422)["details"])
    assert stored_files(media_root) == []


def test_truncated_png_is_422(session_client, author, upload):
    png = image_bytes("PNG")
    assert "truncated" in str(error(upload(session_client(author), png[:-200], "t.png"), 422)["details"])


def test_alt_text_and_caption_lengths(session_client, author, upload):
    body = error(upload(session_client(author), image_bytes(), alt_text="a" * 256, caption="c" * 501), 422)
    assert set(body["details"]) == {"alt_text", "caption"}


def test_no_file_is_422(session_client, author):
    response = session_client(author).post("/api/v1/media", {"alt_text": "x"}, format="multipart")
    assert error(response, 422)["details"]["file"]


# ---------------------------------------------------------------------------- the size limit

LIMIT = 100_000


@pytest.fixture
def small_limit(settings):
    settings.POLYCMS_MEDIA = {"MAX_UPLOAD_BYTES": LIMIT}


def exactly(size: int) -> bytes:
    """A JPEG padded to ``size`` bytes (the padding after its end is dropped when stored)."""
    jpeg = image_bytes(size=(50, 50))
    return jpeg + b"\0" * (size - len(jpeg))


def test_file_at_the_limit_is_accepted(small_limit, session_client, author, upload):
    created(upload(session_client(author), exactly(LIMIT)))


def test_multipart_file_one_byte_over_the_limit_is_413_and_nothing_is_stored(
    small_limit, session_client, author, upload, media_root
):
    body = error(upload(session_client(author), exactly(LIMIT + 1)), HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    assert body["code"] == "request_too_large" and body["details"] == {"limit_bytes": LIMIT}
    assert stored_files(media_root) == [] and not Media.objects.exists()


def test_raw_file_one_byte_over_the_limit_is_413_and_nothing_is_stored(small_limit, session_client, author, media_root):
    response = raw_upload(session_client(author), exactly(LIMIT + 1))
    assert error(response, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)["code"] == "request_too_large"
    assert stored_files(media_root) == [] and not Media.objects.exists()


class CountingStream(io.BytesIO):
    """A request body that counts what is read of it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        chunk = super().read(size)
        self.read_bytes += len(chunk)
        return chunk

    def readline(self, size: int = -1) -> bytes:
        line = super().readline(size)
        self.read_bytes += len(line)
        return line


def multipart_body(content: bytes) -> tuple[bytes, str]:
    boundary = "polycms-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\n'
            f"Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_oversized_multipart_upload_stops_reading_at_the_limit(small_limit, author, media_root):
    body, content_type = multipart_body(exactly(LIMIT + MULTIPART_OVERHEAD_BYTES - 1000))
    stream = CountingStream(body)
    client = Client()
    client.force_login(author)
    response = client.generic(
        "POST",
        "/api/v1/media",
        b"x",
        content_type=content_type,
        CONTENT_LENGTH=str(len(body)),
        **{"wsgi.input": stream},
    )
    assert error(response, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)["code"] == "request_too_large"
    # The rest was never read (the parser reads a chunk at a time).
    assert stream.read_bytes < LIMIT + 3 * LimitedUploadHandler.chunk_size < len(body)
    assert stored_files(media_root) == []


@pytest.mark.parametrize("form", ["multipart", "raw"])
def test_body_longer_than_the_limit_is_413_before_any_of_it_is_read(small_limit, author, form):
    body, content_type = multipart_body(b"x" * (2 * LIMIT)) if form == "multipart" else (b"x" * 2 * LIMIT, "image/jpeg")
    stream = CountingStream(body)
    client = Client()
    client.force_login(author)
    response = client.generic(
        "POST",
        "/api/v1/media",
        b"x",
        content_type=content_type,
        CONTENT_LENGTH=str(len(body)),
        **{"wsgi.input": stream},
    )
    assert error(response, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)["code"] == "request_too_large"
    assert stream.read_bytes == 0


def test_json_bodies_keep_the_global_limit(settings, session_client, editor):
    settings.POLYCMS_API = {"MAX_BODY_BYTES": 1000}
    client = session_client(editor)
    media = created(client.generic("POST", "/api/v1/media", image_bytes(), content_type="image/jpeg"))
    response = client.patch(f"/api/v1/media/{media['id']}", {"caption": "x" * 2000}, format="json")
    assert error(response, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)["details"] == {"limit_bytes": 1000}
    response = client.post("/api/v1/posts", {"title": "t" * 2000}, format="json")
    assert error(response, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)["details"] == {"limit_bytes": 1000}


# ---------------------------------------------------------------------------- list, read, edit


@pytest.fixture
def library(session_client, author, editor, upload):
    upload(session_client(author), image_bytes(), "sunset.jpg", alt_text="Red sky")
    upload(session_client(author), pdf_bytes(), "price list.pdf")
    upload(session_client(editor), image_bytes("PNG"), "logo.png", alt_text="Company logo")
    return list(Media.objects.order_by("id"))


def names(response) -> list[str]:
    assert response.status_code == HTTPStatus.OK, response.content
    return [item["name"] for item in response.json()["data"]]


def test_list_is_newest_first_and_paginated(library, session_client, editor):
    response = session_client(editor).get("/api/v1/media?per_page=2")
    assert names(response) == ["logo.png", "price-list.pdf"]
    assert response.json()["meta"]["total"] == 3


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("type=image", ["logo.png", "sunset.jpg"]),
        ("type=document", ["price-list.pdf"]),
        ("search=LOGO", ["logo.png"]),
        ("search=red sky", ["sunset.jpg"]),
        ("search=price", ["price-list.pdf"]),
        ("uploader=me", ["logo.png"]),
        ("ordering=name", ["logo.png", "price-list.pdf", "sunset.jpg"]),
    ],
)
def test_list_filters(library, session_client, editor, query, expected):
    assert names(session_client(editor).get(f"/api/v1/media?{query}")) == expected


def test_uploader_filter_by_id(library, session_client, editor, author):
    assert names(session_client(editor).get(f"/api/v1/media?uploader={author.pk}")) == ["price-list.pdf", "sunset.jpg"]


@pytest.mark.parametrize("query", ["type=svg", "uploader=ann", "sort=name"])
def test_invalid_list_parameters_are_422(library, session_client, editor, query):
    assert error(session_client(editor).get(f"/api/v1/media?{query}"), 422)["code"] == "validation_error"


def test_pdf_has_no_renditions(library, session_client, editor):
    data = session_client(editor).get(f"/api/v1/media/{library[1].pk}").json()["data"]
    assert data["renditions"] == {} and data["renditions_pending"] == [] and data["width"] is None


def test_patch_alt_text_and_caption(library, session_client, author):
    response = session_client(author).patch(f"/api/v1/media/{library[0].pk}", {"alt_text": "Sun"}, format="json")
    assert response.status_code == HTTPStatus.OK and response.json()["data"]["alt_text"] == "Sun"
    assert Media.objects.get(pk=library[0].pk).caption == ""


def test_patch_refuses_unknown_fields_and_ignores_read_only_ones(library, session_client, author):
    client = session_client(author)
    assert error(client.patch(f"/api/v1/media/{library[0].pk}", {"nope": 1}, format="json"), 422)
    response = client.patch(f"/api/v1/media/{library[0].pk}", {"name": "x.jpg", "url": "x"}, format="json")
    assert response.json()["data"]["name"] == "sunset.jpg"


def test_put_is_not_allowed(library, session_client, author):
    response = session_client(author).put(f"/api/v1/media/{library[0].pk}", {"alt_text": "x"}, format="json")
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_unknown_item_is_404(session_client, editor):
    assert error(session_client(editor).get("/api/v1/media/999"), 404)["code"] == "not_found"


# ---------------------------------------------------------------------------- deletion


def test_delete_removes_the_item_and_its_files(
    library, session_client, author, media_root, jobs, django_capture_on_commit_callbacks
):
    jobs()
    sunset = Media.objects.get(pk=library[0].pk)
    files_of_sunset = {sunset.file.name, *(made["file"] for made in sunset.renditions.values())}
    assert len(files_of_sunset) == 5
    with django_capture_on_commit_callbacks(execute=True):
        response = session_client(author).delete(f"/api/v1/media/{sunset.pk}")
    assert response.status_code == HTTPStatus.NO_CONTENT
    left = {str(path.relative_to(media_root)) for path in stored_files(media_root)}
    assert not left & files_of_sunset and len(left) == 2 + 4  # the PDF, the logo and the logo's renditions


def test_delete_of_a_featured_image_is_409_naming_the_post(library, session_client, editor, author):
    post = Post.objects.create(title="Sunsets", slug="sunsets", author=author, featured_media=library[0])
    body = error(session_client(editor).delete(f"/api/v1/media/{library[0].pk}"), HTTPStatus.CONFLICT)
    assert body["code"] == "conflict"
    assert body["details"] == {"posts": [{"id": post.pk, "title": "Sunsets"}], "total": 1}
    assert Media.objects.filter(pk=library[0].pk).exists()


@pytest.mark.parametrize("form", ["as-given", "decoded"])
def test_an_image_is_found_in_content_by_its_url_percent_encoded_or_not(session_client, editor, author, upload, form):
    data = created(upload(session_client(editor), image_bytes(), "Été à Paris-2.jpg"))
    assert unquote(data["url"]).endswith("-Été-à-Paris-2.jpg")  # the storage percent-encodes its URLs
    url = data["url"] if form == "as-given" else unquote(data["url"])
    content = {"blocks": [{"type": "image", "data": {"file": {"url": url}}}]}
    Post.objects.create(title="Paris", slug="paris", author=author, content_raw=content)
    assert error(session_client(editor).delete(f"/api/v1/media/{data['id']}"), HTTPStatus.CONFLICT)
    Post.objects.all().delete()
    assert session_client(editor).delete(f"/api/v1/media/{data['id']}").status_code == HTTPStatus.NO_CONTENT


def test_delete_of_an_image_in_a_post_content_is_409(library, session_client, editor, author):
    url = session_client(editor).get(f"/api/v1/media/{library[2].pk}").json()["data"]["url"]
    content = {"blocks": [{"type": "image", "data": {"file": {"url": url}, "caption": "Logo"}}]}
    post = Post.objects.create(title="About", slug="about", author=author, content_raw=content)
    body = error(session_client(editor).delete(f"/api/v1/media/{library[2].pk}"), HTTPStatus.CONFLICT)
    assert body["details"]["posts"] == [{"id": post.pk, "title": "About"}]


# ---------------------------------------------------------------------------- who may do what


@pytest.mark.parametrize("role", ["Contributor", "Author", "Editor"])
def test_every_role_uploads(make_user, session_client, upload, role):
    assert upload(session_client(make_user(f"u-{role}", role=role)), image_bytes()).status_code == HTTPStatus.CREATED


def test_anonymous_callers_get_401(api_client, upload):
    assert error(api_client.get("/api/v1/media"), 401)["code"] == "not_authenticated"
    assert upload(api_client, image_bytes()).status_code == HTTPStatus.UNAUTHORIZED


def test_a_user_without_a_role_gets_403(user, session_client, upload):
    assert error(upload(session_client(user), image_bytes()), 403)["message"] == "You may not upload media."
    assert error(session_client(user).get("/api/v1/media"), 403)["code"] == "permission_denied"


@pytest.mark.parametrize(
    ("role", "own", "others"),
    [("Contributor", True, False), ("Author", True, False), ("Editor", True, True)],
)
def test_editing_and_deleting_others_media_takes_an_editor(make_user, session_client, upload, role, own, others):
    someone = make_user("someone", role="Author")
    theirs = created(upload(session_client(someone), image_bytes()))["id"]
    caller = session_client(make_user("caller", role=role))
    mine = created(upload(caller, image_bytes()))["id"]
    for media_id, allowed in ((mine, own), (theirs, others)):
        patched = caller.patch(f"/api/v1/media/{media_id}", {"alt_text": "x"}, format="json")
        assert patched.status_code == (HTTPStatus.OK if allowed else HTTPStatus.FORBIDDEN)
        assert caller.get(f"/api/v1/media/{media_id}").status_code == HTTPStatus.OK  # everyone reads the library
        deleted = caller.delete(f"/api/v1/media/{media_id}")
        assert deleted.status_code == (HTTPStatus.NO_CONTENT if allowed else HTTPStatus.FORBIDDEN)
    if not others:
        assert "Editor" in error(caller.delete(f"/api/v1/media/{theirs}"), 403)["message"]


@pytest.mark.parametrize(
    ("abilities", "reads", "writes"),
    [
        (["media:read"], True, False),
        (["media:write"], True, True),
        (["posts:write"], False, False),
        (["read"], True, False),
    ],
)
def test_token_abilities(make_token, author, upload, abilities, reads, writes):
    _, plaintext = make_token(author, abilities=abilities)
    client = bearer(plaintext)
    assert (client.get("/api/v1/media").status_code == HTTPStatus.OK) is reads
    response = upload(client, image_bytes())
    assert (response.status_code == HTTPStatus.CREATED) is writes
    if not writes:
        assert response.status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("ordering", ["", "-created_at", "name", "-size"])
def test_cursor_pages_follow_any_ordering(library, session_client, editor, ordering):
    client = session_client(editor)
    query = f"ordering={ordering}&" if ordering else ""
    first = client.get(f"/api/v1/media?{query}per_page=2&cursor=")
    assert first.status_code == HTTPStatus.OK, first.content
    second = client.get(first.json()["links"]["next"])
    seen = [item["id"] for item in first.json()["data"] + second.json()["data"]]
    assert sorted(seen) == sorted(media.pk for media in library)
