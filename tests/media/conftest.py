"""Media fixtures: a fresh MEDIA_ROOT per test (nothing is ever written into the repository), real files of
every accepted type made with Pillow, and the renditions' jobs run in-process. The role groups' media permissions
come from the data migration (media/migrations/0002_roles.py), as in production."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from tests.webhooks.conftest import run_jobs


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    root = tmp_path / "media-root"
    root.mkdir()
    settings.MEDIA_ROOT = root
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    return root


def stored_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (800, 600), mode: str = "RGB", **options) -> bytes:
    """An image with a gradient (so encoders have something to encode), saved as ``fmt``."""
    image = Image.new(mode, size)
    if mode in {"RGB", "RGBA"}:
        image = Image.linear_gradient("L").resize(size).convert(mode)
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def pdf_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (100, 100), "white").save(out, "PDF")
    return out.getvalue()


@pytest.fixture
def make_image() -> Callable[..., bytes]:
    return image_bytes


@pytest.fixture
def jobs() -> Callable[[], int]:
    return run_jobs


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """POST a file to /api/v1/media as multipart with ``client``; the transaction's callbacks (queueing the
    renditions) run."""

    def post(client, content: bytes, name: str = "photo.jpg", **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/api/v1/media", {"file": _named(content, name), **fields}, format="multipart")

    return post


def _named(content: bytes, name: str) -> io.BytesIO:
    stream = io.BytesIO(content)
    stream.name = name
    return stream
