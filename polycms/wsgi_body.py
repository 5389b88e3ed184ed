"""Chunked request bodies (``Transfer-Encoding: chunked``: ``curl -T -``, ``requests`` with a generator, Node
streams) for Django, which reads only ``CONTENT_LENGTH`` bytes of ``wsgi.input`` and so sees such a body as
empty.

gunicorn de-chunks ``wsgi.input`` and says so with ``wsgi.input_terminated``; ``ChunkedBodyMiddleware`` reads
that body, bounded by ``POLYCMS_API["MAX_BODY_BYTES"]``, and hands Django a body with a length. A server that
does not terminate its input (Django's ``runserver``) cannot give the body at all: such requests answer
411 rather than reach a view with a body that looks empty.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from api.exceptions import LengthRequired, RequestTooLarge, error_response
from api.middleware import body_limit

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]


def is_chunked_without_length(environ: Environ) -> bool:
    """A body sent in chunks and not described by ``Content-Length`` (which chunking overrides anyway)."""
    codings = [coding.strip().lower() for coding in environ.get("HTTP_TRANSFER_ENCODING", "").split(",")]
    return "chunked" in codings and not environ.get("CONTENT_LENGTH")


def read_at_most(stream: Any, limit: int) -> bytes:
    """Up to ``limit + 1`` bytes of ``stream``: one more than allowed tells an oversized body apart."""
    data = bytearray()
    while len(data) <= limit:
        piece = stream.read(limit + 1 - len(data))
        if not piece:
            break
        data += piece
    return bytes(data)


class ChunkedBodyMiddleware:
    """WSGI middleware: a chunked body without ``Content-Length`` becomes an in-memory body of at most
    ``MAX_BODY_BYTES`` bytes with its ``CONTENT_LENGTH`` set, on every path. Past the limit: 413
    ``request_too_large``; when the server leaves the input unterminated: 411 ``length_required``. Other
    requests pass through untouched."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if not is_chunked_without_length(environ):
            return self.app(environ, start_response)
        if not environ.get("wsgi.input_terminated"):
            return self._refuse(LengthRequired(), start_response)
        limit = body_limit(environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", ""))
        body = read_at_most(environ["wsgi.input"], limit)
        if len(body) > limit:
            message = f"The chunked request body is over the limit of {limit} bytes."
            return self._refuse(RequestTooLarge(message, details={"limit_bytes": limit}), start_response)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["wsgi.input"] = io.BytesIO(body)
        return self.app(environ, start_response)

    @staticmethod
    def _refuse(error: LengthRequired | RequestTooLarge, start_response: StartResponse) -> list[bytes]:
        response = error_response(error)
        # No Connection header (hop-by-hop, the server's own, PEP 3333): gunicorn's sync workers close every
        # connection after its response, and the rest of a refused body is never read.
        headers = [*response.items(), ("Content-Length", str(len(response.content)))]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return [response.content]
