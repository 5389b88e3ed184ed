"""media.services: renditions made by the job runner, storage names, concurrent uploads, clean-up."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError
from PIL import Image

from media import services
from media.models import Media
from tests.media.conftest import image_bytes, stored_files

pytestmark = pytest.mark.django_db


def upload(user, content: bytes, name: str = "photo.jpg", capture=None) -> Media:
    return services.media_upload(user=user, stream=io.BytesIO(content), name=name)


@pytest.mark.parametrize(
    ("size", "fmt", "expected"),
    [
        (
            (1600, 1200),
            "JPEG",
            {"thumbnail": (150, 150), "medium": (500, 375), "thumbnail_webp": (150, 150), "medium_webp": (500, 375)},
        ),
        ((2000, 500), "PNG", {"thumbnail": (150, 150), "medium": (565, 141)}),
        ((100, 80), "JPEG", {"thumbnail": (100, 80), "medium": (100, 80)}),  # never enlarged
        ((400, 900), "WEBP", {"thumbnail": (150, 150), "medium": (167, 375)}),
    ],
)
def test_renditions_are_made_by_the_job_in_their_sizes(
    author, jobs, django_capture_on_commit_callbacks, size, fmt, expected
):
    with django_capture_on_commit_callbacks(execute=True):
        media = upload(author, image_bytes(fmt, size=size))
    assert media.renditions == {}
    assert jobs() == 1
    media.refresh_from_db()
    for name, (width, height) in expected.items():
        made = media.renditions[name]
        assert (made["width"], made["height"]) == (width, height)
        with default_storage.open(made["file"]) as stored:
            image = Image.open(stored)
            assert image.size == (width, height)
            assert image.format == ("WEBP" if name.endswith("_webp") else {"JPEG": "JPEG"}.get(fmt, fmt))


def test_thumbnail_is_a_centre_crop(author, jobs, django_capture_on_commit_callbacks):
    image = Image.new("RGB", (600, 200), "red")
    image.paste(Image.new("RGB", (200, 200), "blue"), (200, 0))  # blue in the middle third
    out = io.BytesIO()
    image.save(out, "PNG")
    with django_capture_on_commit_callbacks(execute=True):
        media = upload(author, out.getvalue(), "flag.png")
    jobs()
    media.refresh_from_db()
    with default_storage.open(media.renditions["thumbnail"]["file"]) as stored:
        thumbnail = Image.open(stored).convert("RGB")
        assert thumbnail.size == (150, 150)
        assert thumbnail.getpixel((3, 75)) == thumbnail.getpixel((146, 75)) == (0, 0, 255)


def test_renditions_settings(settings, author, jobs, django_capture_on_commit_callbacks):
    settings.POLYCMS_MEDIA = {
        "RENDITIONS": {"square": {"width": 64, "height": 64, "crop": True}},
        "WEBP_RENDITIONS": False,
    }
    with django_capture_on_commit_callbacks(execute=True):
        media = upload(author, image_bytes())
    jobs()
    media.refresh_from_db()
    assert set(media.renditions) == {"square"} and media.renditions["square"]["width"] == 64


def test_a_failed_rendition_is_recorded_and_the_others_made(
    monkeypatch, author, jobs, django_capture_on_commit_callbacks
):
    real = services.renditions.render

    def failing(original, spec, mime):
        if spec.name == "medium":
            raise OSError("disk full")
        return real(original, spec, mime)

    monkeypatch.setattr(services.renditions, "render", failing)
    with django_capture_on_commit_callbacks(execute=True):
        media = upload(author, image_bytes())
    jobs()
    media.refresh_from_db()
    assert media.renditions["medium"] == {"error": "OSError"}
    assert "file" in media.renditions["thumbnail"]


def test_renditions_of_a_deleted_item_are_skipped(author):
    media = upload(author, image_bytes())
    Media.objects.filter(pk=media.pk).delete()
    assert services.renditions_make(media_id=media.pk).made == []


def test_storage_names_are_dated_and_random():
    first, second = services.storage_name("a.jpg"), services.storage_name("a.jpg")
    assert first != second and first.endswith("-a.jpg") and first.count("/") == 2


def test_a_failed_insert_leaves_no_file(monkeypatch, author, media_root):
    def fail(**kwargs):
        raise IntegrityError("boom")

    monkeypatch.setattr(Media.objects, "create", fail)
    with pytest.raises(IntegrityError):
        upload(author, image_bytes())
    assert stored_files(media_root) == []


def test_concurrent_saves_of_one_name_keep_every_file(media_root):
    """Twenty uploads of photo.jpg at once: twenty files, none overwritten (a random part, and O_EXCL under it)."""
    count = 20
    barrier = Barrier(count)

    def save(index: int) -> str:
        barrier.wait()
        return default_storage.save(services.storage_name("photo.jpg"), ContentFile(f"upload {index}".encode()))

    with ThreadPoolExecutor(max_workers=count) as pool:
        names = list(pool.map(save, range(count)))
    assert len(set(names)) == count
    for index, name in enumerate(names):
        assert (media_root / name).read_bytes() == f"upload {index}".encode()
