"""The upload limit outside the view: ``api.middleware.body_limit`` gives the media upload route its own limit (the
JSON routes keep POLYCMS_API["MAX_BODY_BYTES"]), and a chunked upload, which has no Content-Length, is read by
``polycms.wsgi_body`` up to that limit only."""

from __future__ import annotations

import io

import pytest

from api.middleware import body_limit
from media.uploads import MULTIPART_OVERHEAD_BYTES
from polycms.wsgi_body import ChunkedBodyMiddleware


@pytest.fixture
def limits(settings) -> tuple[int, int]:
    settings.POLYCMS_API = {"MAX_BODY_BYTES": 1000}
    settings.POLYCMS_MEDIA = {"MAX_UPLOAD_BYTES": 50_000}
    return 1000, 50_000


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("POST", "/api/v1/media", 50_000 + MULTIPART_OVERHEAD_BYTES),
        ("POST", "/api/v1/media/", 50_000 + MULTIPART_OVERHEAD_BYTES),
        ("PATCH", "/api/v1/media/3", 1000),
        ("POST", "/api/v1/posts", 1000),
        ("POST", "/api/v1/nowhere", 1000),
    ],
)
def test_body_limit_is_the_views(limits, method, path, expected):
    assert body_limit(path, method) == expected


class CountingStream(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        chunk = super().read(size)
        self.read_bytes += len(chunk)
        return chunk


def chunked_call(path: str, body: bytes) -> tuple[str, int, list]:
    seen = []

    def app(environ, start_response):
        seen.append(int(environ["CONTENT_LENGTH"]))
        start_response("200 OK", [])
        return [b""]

    started = {}
    stream = CountingStream(body)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "HTTP_TRANSFER_ENCODING": "chunked",
        "wsgi.input_terminated": True,
        "wsgi.input": stream,
    }
    b"".join(ChunkedBodyMiddleware(app)(environ, lambda status, headers: started.update(status=status)))
    return started["status"], stream.read_bytes, seen


def test_a_chunked_upload_within_the_upload_limit_passes(limits):
    status, _, seen = chunked_call("/api/v1/media", b"x" * 40_000)
    assert status == "200 OK" and seen == [40_000]


def test_a_chunked_upload_over_it_is_413_after_reading_only_the_limit(limits):
    status, read, seen = chunked_call("/api/v1/media", b"x" * 500_000)
    assert status.startswith("413") and seen == []
    assert read == 50_000 + MULTIPART_OVERHEAD_BYTES + 1


def test_a_chunked_json_body_keeps_the_global_limit(limits):
    status, _, _ = chunked_call("/api/v1/posts", b"x" * 40_000)
    assert status.startswith("413")
