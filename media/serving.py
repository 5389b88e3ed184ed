"""Serving stored media from ``MEDIA_ROOT`` (development, and deployments without a proxy in front:
``settings.MEDIA_SERVE``). In production a proxy serves ``/media/`` with the same headers (README "Media").

Every response says what the file is (``Content-Type`` from its extension, which is the sniffed type's), forbids
sniffing (``X-Content-Type-Options: nosniff``) and running anything (``Content-Security-Policy: default-src 'none';
sandbox``); anything not an image is a download (``Content-Disposition: attachment``).
"""

from __future__ import annotations

from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpRequest
from django.utils._os import safe_join
from django.views.decorators.http import require_safe

# The types stored files can have (media.files.EXTENSIONS): nothing else is served.
CONTENT_TYPES = {
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".pdf": "application/pdf",
}
# A stored name never changes (a new upload gets a new name): cache for a year.
CACHE_CONTROL = "public, max-age=31536000, immutable"


def headers_for(name: str) -> dict[str, str]:
    """The headers of the stored file ``name``."""
    content_type = CONTENT_TYPES.get(PurePosixPath(name).suffix.lower(), "application/octet-stream")
    headers = {
        "Content-Type": content_type,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": CACHE_CONTROL,
    }
    if not content_type.startswith("image/"):
        headers["Content-Disposition"] = "attachment"
    return headers


@require_safe
def serve(request: HttpRequest, path: str) -> FileResponse:
    """``MEDIA_URL<path>``: the file under ``MEDIA_ROOT``; 404 for anything else (paths out of it, directories,
    types the library never stores)."""
    if PurePosixPath(path).suffix.lower() not in CONTENT_TYPES:
        raise Http404("No such media file.")
    try:
        handle = open(safe_join(str(settings.MEDIA_ROOT), path), "rb")  # noqa: SIM115 (FileResponse closes it)
    except (SuspiciousFileOperation, OSError):  # a path out of MEDIA_ROOT, a directory, no such file
        raise Http404("No such media file.") from None
    headers = headers_for(path)
    attachment = "Content-Disposition" in headers
    response = FileResponse(handle, as_attachment=attachment, filename=PurePosixPath(path).name)
    for header, value in headers.items():
        if header != "Content-Disposition":  # FileResponse's has the file's name, encoded (RFC 6266)
            response[header] = value
    return response
