"""Receiving an upload within ``POLYCMS_MEDIA["MAX_UPLOAD_BYTES"]`` while it streams in.

``LimitedUploadHandler`` is the only upload handler of ``POST /api/v1/media``: it spools the file to memory, then to a
temporary file, and at the first byte past the limit closes (and so deletes) what it received and raises 413, so
the rest of the body is never read and nothing is stored. It serves both forms of upload: multipart/form-data
(Django's parser) and a raw body (``RawUploadParser``).
"""

from __future__ import annotations

import tempfile

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from rest_framework.parsers import FileUploadParser

from api.exceptions import RequestTooLarge
from media.files import accepted_types

# Kept in memory below this, in a temporary file above (as Django's FILE_UPLOAD_MAX_MEMORY_SIZE).
SPOOL_BYTES = 2 * 1024 * 1024
# What a multipart body may carry besides its file: boundaries, part headers, alt_text and caption. The API's
# middleware refuses a body longer than the file limit plus this before reading any of it.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


def too_large(limit: int) -> RequestTooLarge:
    return RequestTooLarge(
        f"The file is over the upload limit of {limit} bytes (POLYCMS_MEDIA['MAX_UPLOAD_BYTES']).",
        details={"limit_bytes": limit},
    )


class LimitedUploadHandler(FileUploadHandler):
    """Receives one file of at most ``limit`` bytes (see the module's docstring)."""

    # Read 16 KiB at a time (Django's default is 64 KiB): an oversized body is cut off closer to the limit.
    chunk_size = 16 * 1024

    def __init__(self, request=None, *, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.file = None

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None):
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        if self.file is not None:  # one file per upload: a second replaces nothing, it is refused
            self.file.close()
        self.received = 0
        self.file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (closed by the parser)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.file.close()
            raise too_large(self.limit)
        self.file.write(raw_data)

    def file_complete(self, file_size: int) -> UploadedFile:
        self.file.seek(0)
        return UploadedFile(
            file=self.file,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


class RawUploadParser(FileUploadParser):
    """The body is the file (``Content-Type: image/…`` or ``application/pdf``), named by ``Content-Disposition:
    attachment; filename="…"`` (``upload`` without one). The Content-Type only selects this parser: the file's type
    is still read from its content."""

    media_type = "*/*"

    def get_filename(self, stream, media_type, parser_context) -> str:
        return super().get_filename(stream, media_type, parser_context) or "upload"


def raw_upload_media_types() -> list[str]:
    return accepted_types()
