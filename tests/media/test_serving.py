"""media.serving: stored files served from MEDIA_ROOT with their type, nosniff, a sandbox, and as downloads unless
images; nothing outside MEDIA_ROOT."""

from __future__ import annotations

import importlib
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import clear_url_caches

import polycms.urls
from media.serving import headers_for
from tests.media.conftest import image_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def serving(settings):
    """The URL conf as `make serve` has it (DJANGO_DEBUG=1 turns MEDIA_SERVE on)."""
    settings.MEDIA_SERVE = True
    importlib.reload(polycms.urls)
    clear_url_caches()
    yield Client()
    settings.MEDIA_SERVE = False
    importlib.reload(polycms.urls)
    clear_url_caches()


def test_media_is_not_served_by_django_unless_asked(client, media_root):
    (media_root / "a.jpg").write_bytes(image_bytes())
    assert not any(getattr(p, "name", None) == "media-file" for p in polycms.urls.urlpatterns)
    assert client.get("/media/a.jpg").status_code == HTTPStatus.NOT_FOUND


def test_an_image_is_served_inline_with_its_type_and_nosniff(serving, media_root):
    (media_root / "2026" / "12").mkdir(parents=True)
    (media_root / "2026" / "12" / "ab12-photo.jpg").write_bytes(image_bytes())
    response = serving.get("/media/2026/12/ab12-photo.jpg")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Content-Disposition"] == 'inline; filename="ab12-photo.jpg"'
    assert b"".join(response.streaming_content) == (media_root / "2026/12/ab12-photo.jpg").read_bytes()


def test_a_pdf_is_served_as_a_download(serving, media_root):
    (media_root / "price list.pdf").write_bytes(pdf_bytes())
    response = serving.get("/media/price%20list.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="price list.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    [
        "/media/../manage.py",
        "/media/%2e%2e/pyproject.toml",
        "/media/..%2f..%2fetc/passwd.jpg",
        "/media/x.html",
        "/media/missing.jpg",
        "/media/2026/",
    ],
)
def test_nothing_else_is_served(serving, media_root, path):
    (media_root / "x.html").write_bytes(b"<script>alert(1)</script>")
    assert serving.get(path).status_code == HTTPStatus.NOT_FOUND


def test_writes_are_refused(serving, media_root):
    (media_root / "a.jpg").write_bytes(image_bytes())
    assert serving.post("/media/a.jpg").status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_headers_for_s3_objects_match():
    assert headers_for("2026/12/x.webp")["Content-Type"] == "image/webp"
    assert headers_for("2026/12/x.pdf")["Content-Disposition"] == "attachment"
    assert headers_for("2026/12/x.exe")["Content-Type"] == "application/octet-stream"
