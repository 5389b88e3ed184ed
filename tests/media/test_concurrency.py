"""Concurrent uploads of one name through the API on a real PostgreSQL: every one stored as its own file and row,
none overwritten, no 5xx."""

from __future__ import annotations

import io
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group, Permission

from media import roles as media_roles
from media.models import Media
from tests.concurrency import bearer, run_concurrently
from tests.conftest import postgres_only
from tests.media.conftest import image_bytes, stored_files

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]

UPLOADERS = 10


def test_concurrent_uploads_of_one_name_keep_every_file(make_user, make_token, media_root):
    author = make_user("ann", role="Author")
    media_roles.sync_roles(Group, Permission)  # a transactional test's flush removed the migration's
    plaintext = make_token(author)[1]
    contents = [image_bytes(size=(64 + index, 48)) for index in range(UPLOADERS)]

    def upload(index: int):
        stream = io.BytesIO(contents[index])
        stream.name = "photo.jpg"
        return bearer(plaintext).post("/api/v1/media", {"file": stream}, format="multipart")

    responses = run_concurrently(upload, UPLOADERS)
    assert [response.status_code for response in responses] == [HTTPStatus.CREATED] * UPLOADERS
    urls = {response.json()["data"]["url"] for response in responses}
    assert len(urls) == UPLOADERS and all(url.endswith("-photo.jpg") for url in urls)
    assert len(stored_files(media_root)) == Media.objects.count() == UPLOADERS
    widths = sorted(Media.objects.values_list("width", flat=True))
    assert widths == [64 + index for index in range(UPLOADERS)]  # each file its own content
