"""Chunked request bodies: the WSGI middleware alone, the project's WSGI application, and a real gunicorn."""

from __future__ import annotations

import contextlib
import http.client
import io
import json
from collections.abc import Iterator
from http import HTTPStatus
from wsgiref.util import is_hop_by_hop

import pytest

from polycms.wsgi_body import ChunkedBodyMiddleware
from tests.live import Gunicorn, django_env, http_request, live_database, manage, superuser_token

CHUNKED = {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/posts", "HTTP_TRANSFER_ENCODING": "chunked"}


class Stream(io.BytesIO):
    """``wsgi.input`` that counts what was read from it and gives at most ``step`` bytes a read, like a socket."""

    def __init__(self, data: bytes, step: int = 7) -> None:
        super().__init__(data)
        self.step = step
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        piece = super().read(self.step if size is None or size < 0 else min(size, self.step))
        self.bytes_read += len(piece)
        return piece


class App:
    """The wrapped application: records the body it was given."""

    def __init__(self) -> None:
        self.calls: list[tuple[str | None, bytes]] = []

    def __call__(self, environ, start_response):
        length = environ.get("CONTENT_LENGTH")
        self.calls.append((length, environ["wsgi.input"].read(int(length or 0))))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]


def call(app, environ: dict) -> tuple[str, dict[str, str], bytes]:
    started = {}

    def start_response(status, headers):
        started.update(status=status, headers=dict(headers))

    body = b"".join(ChunkedBodyMiddleware(app)(environ, start_response))
    return started["status"], started["headers"], body


@pytest.fixture
def limit(settings) -> int:
    settings.POLYCMS_API = {"MAX_BODY_BYTES": 100}
    return 100


def test_terminated_chunked_body_reaches_the_app_with_its_length(limit):
    app, body = App(), b'{"title": "Sent in chunks"}'

    status, _, _ = call(app, {**CHUNKED, "wsgi.input_terminated": True, "wsgi.input": Stream(body)})

    assert status == "200 OK"
    assert app.calls == [(str(len(body)), body)]


@pytest.mark.parametrize("coding", ["chunked", "Chunked", "gzip, chunked"])
def test_transfer_codings_ending_in_chunked_are_read(limit, coding):
    app = App()

    call(app, {**CHUNKED, "HTTP_TRANSFER_ENCODING": coding, "wsgi.input_terminated": True, "wsgi.input": Stream(b"x")})

    assert app.calls == [("1", b"x")]


def test_a_body_of_exactly_the_limit_is_accepted(limit):
    app = App()

    call(app, {**CHUNKED, "wsgi.input_terminated": True, "wsgi.input": Stream(b"a" * limit)})

    assert app.calls == [(str(limit), b"a" * limit)]


def test_empty_chunked_body_stays_empty(limit):
    app = App()

    call(app, {**CHUNKED, "wsgi.input_terminated": True, "wsgi.input": Stream(b"")})

    assert app.calls == [("0", b"")]


def test_chunked_body_over_the_limit_is_413_after_reading_one_byte_more(limit):
    app, stream = App(), Stream(b"a" * 10_000)

    status, headers, body = call(app, {**CHUNKED, "wsgi.input_terminated": True, "wsgi.input": stream})

    assert status == "413 Request Entity Too Large"
    assert json.loads(body) == {
        "error": {
            "code": "request_too_large",
            "message": "The chunked request body is over the limit of 100 bytes.",
            "details": {"limit_bytes": 100},
        }
    }
    assert headers["Content-Type"] == "application/json"
    assert headers["Content-Length"] == str(len(body))
    assert not [name for name in headers if is_hop_by_hop(name)]  # PEP 3333: wsgiref's server refuses them
    assert stream.bytes_read == limit + 1
    assert app.calls == []


def test_unterminated_chunked_input_is_411_without_reading_it(limit):
    app, stream = App(), Stream(b'{"title": "lost"}')

    status, _, body = call(app, {**CHUNKED, "wsgi.input": stream})

    assert status == "411 Length Required"
    error = json.loads(body)["error"]
    assert error["code"] == "length_required"
    assert "Content-Length" in error["message"]
    assert stream.bytes_read == 0
    assert app.calls == []


@pytest.mark.parametrize(
    "environ",
    [
        {"REQUEST_METHOD": "POST", "CONTENT_LENGTH": "5"},
        {"REQUEST_METHOD": "POST", "CONTENT_LENGTH": "5", "HTTP_TRANSFER_ENCODING": "chunked"},
        {"REQUEST_METHOD": "GET"},
        {"REQUEST_METHOD": "POST", "HTTP_TRANSFER_ENCODING": "gzip"},
    ],
)
def test_other_requests_pass_through_untouched(limit, environ):
    app, stream = App(), Stream(b"hello")
    environ = {**environ, "wsgi.input_terminated": True, "wsgi.input": stream}

    call(app, environ)

    assert environ["wsgi.input"] is stream
    assert app.calls == [(environ.get("CONTENT_LENGTH"), b"hello"[: int(environ.get("CONTENT_LENGTH") or 0)])]


def test_the_projects_wsgi_application_reads_chunked_bodies(editor, make_token):
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from polycms.wsgi import application

    _, plaintext = make_token(editor)
    body = json.dumps({"title": "Through WSGI", "content_raw": {"blocks": []}}).encode()
    environ = {
        **CHUNKED,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input_terminated": True,
        "wsgi.input": Stream(body),
        "wsgi.errors": io.StringIO(),
        "CONTENT_TYPE": "application/json",
        "HTTP_ACCEPT": "application/json",
        "HTTP_AUTHORIZATION": f"Bearer {plaintext}",
    }
    started = {}
    # As Django's test client does: the request must not close the test's database connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = b"".join(application(environ, lambda status, headers: started.update(status=status)))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)

    assert started["status"] == "201 Created", response[:300]
    assert json.loads(response)["data"]["title"] == "Through WSGI"


# ---------------------------------------------------------------------------- through a real gunicorn
LIVE_LIMIT = 64 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[Gunicorn, str]]:
    """A gunicorn (as ``make serve`` runs it) with a body limit of ``LIVE_LIMIT``, and a superuser's token."""
    directory = tmp_path_factory.mktemp("chunked")
    with live_database("chunked", directory) as url:
        env = django_env(DATABASE_URL=url, POLYCMS_MAX_BODY_BYTES=str(LIVE_LIMIT))
        manage(env, "migrate", "--noinput")
        token = superuser_token(env, directory / "token", "chunky")
        gunicorn = Gunicorn(env, log_file=directory / "gunicorn.log").start(workers=1)
        try:
            yield gunicorn, token
        finally:
            gunicorn.stop()


def post_chunked(url: str, token: str, chunks: Iterator[bytes]) -> tuple[int, dict]:
    """POST ``chunks`` to /api/v1/posts with ``Transfer-Encoding: chunked`` (no Content-Length), as
    ``curl -T -`` or ``requests`` with a generator do; returns the status and the JSON body."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept": "application/json"}
    try:
        # The server may answer before the whole body is sent: its answer is still there to read.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            connection.request("POST", "/api/v1/posts", body=chunks, headers=headers, encode_chunked=True)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def titles(url: str, token: str) -> list[str]:
    return [post["title"] for post in http_request(f"{url}/api/v1/posts?status=draft", token=token).json()["data"]]


def test_chunked_post_creates_the_post_under_gunicorn(server):
    gunicorn, token = server
    document = {"blocks": [{"type": "paragraph", "data": {"text": "Streamed by curl -T -"}}]}
    body = json.dumps({"title": "Sent in chunks", "content_raw": document, "status": "draft"}).encode()

    status, created = post_chunked(gunicorn.url, token, (body[i : i + 10] for i in range(0, len(body), 10)))

    assert status == HTTPStatus.CREATED, created
    assert created["data"]["title"] == "Sent in chunks"
    assert created["data"]["content_raw"]["blocks"] == document["blocks"]
    assert "Sent in chunks" in titles(gunicorn.url, token)


def test_oversized_chunked_post_is_413_and_creates_nothing_under_gunicorn(server):
    gunicorn, token = server
    filler = "x" * (4 * LIVE_LIMIT)
    body = json.dumps({"title": "Too big", "excerpt": filler, "status": "draft"}).encode()

    status, refused = post_chunked(gunicorn.url, token, (body[i : i + 8192] for i in range(0, len(body), 8192)))

    assert status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert refused["error"] == {
        "code": "request_too_large",
        "message": f"The chunked request body is over the limit of {LIVE_LIMIT} bytes.",
        "details": {"limit_bytes": LIVE_LIMIT},
    }
    assert "Too big" not in titles(gunicorn.url, token)
    assert http_request(f"{gunicorn.url}/api/v1/health").status == HTTPStatus.OK  # the worker is fine
    assert "Traceback" not in gunicorn.log()
