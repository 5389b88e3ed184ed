"""The media library on S3-compatible storage (``MEDIA_STORAGE=s3``), against a local moto S3 server; and the
settings that configure it from the environment alone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http import HTTPStatus

import pytest
from django.core.files.storage import storages

from tests.live import django_env, free_port, manage
from tests.media.conftest import image_bytes, pdf_bytes

pytestmark = pytest.mark.django_db

moto_server = pytest.importorskip(
    "moto.server", reason="moto[server] is not installed (pip install -e '.[dev]'): no local S3 server to test against"
)
boto3 = pytest.importorskip("boto3", reason="boto3 is not installed (django-storages[s3])")

BUCKET = "polycms-media-test"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(s3_endpoint, settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "media.storage.MediaS3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "location": "media",
                "querystring_auth": False,
                "file_overwrite": False,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_upload_renditions_and_delete_on_s3(s3, s3_endpoint, session_client, author, upload, jobs, media_root):
    assert storages["default"].__class__.__name__ == "MediaS3Storage"
    client = session_client(author)
    data = upload(client, image_bytes(), "Cover photo.jpg").json()["data"]
    assert data["url"].startswith(f"{s3_endpoint}/{BUCKET}/media/") and data["url"].endswith("-Cover-photo.jpg")
    (original,) = keys(s3)
    assert original.startswith("media/")
    head = s3.head_object(Bucket=BUCKET, Key=original)
    assert head["ContentType"] == "image/jpeg" and "ContentDisposition" not in head

    assert jobs() == 1
    renditions = client.get(f"/api/v1/media/{data['id']}").json()["data"]["renditions"]
    assert {rendition["status"] for rendition in renditions.values()} == {"ready"}
    assert len(keys(s3)) == 5
    assert s3.head_object(Bucket=BUCKET, Key=keys(s3)[-1])["ContentType"] in {"image/jpeg", "image/webp"}
    assert list(media_root.iterdir()) == []  # nothing on the local disk

    pdf = upload(client, pdf_bytes(), "terms.pdf").json()["data"]
    pdf_key = next(key for key in keys(s3) if key.endswith("-terms.pdf"))
    assert s3.head_object(Bucket=BUCKET, Key=pdf_key)["ContentDisposition"] == "attachment"

    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.delete(f"/api/v1/media/{data['id']}").status_code == HTTPStatus.NO_CONTENT
        assert client.delete(f"/api/v1/media/{pdf['id']}").status_code == HTTPStatus.NO_CONTENT
    assert keys(s3) == []


SETTINGS_SCRIPT = """
import json
from django.conf import settings
print(json.dumps(settings.STORAGES["default"]))
"""


def test_s3_is_configured_from_the_environment_alone():
    env = django_env(
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="cms-media",
        AWS_S3_ENDPOINT_URL="https://s3.example.net",
        AWS_S3_REGION_NAME="eu-west-3",
        AWS_S3_CUSTOM_DOMAIN="cdn.example.net",
    )
    storage = json.loads(manage(env, "shell", "-c", SETTINGS_SCRIPT).strip().splitlines()[-1])
    assert storage["BACKEND"] == "media.storage.MediaS3Storage"
    assert (
        storage["OPTIONS"]
        | {
            "bucket_name": "cms-media",
            "endpoint_url": "https://s3.example.net",
            "region_name": "eu-west-3",
            "custom_domain": "cdn.example.net",
            "location": "media",
            "file_overwrite": False,
        }
        == storage["OPTIONS"]
    )


def test_an_unknown_media_storage_is_refused():
    with pytest.raises(RuntimeError, match="MEDIA_STORAGE is filesystem or s3"):
        manage(django_env(MEDIA_STORAGE="ftp"), "check")
