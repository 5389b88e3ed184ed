"""What an uploaded file is, decided by its content, and what of it is kept: the media library's security surface.

- The type comes from the file's magic bytes (``filetype``), never from its name or the client's Content-Type;
  only ``POLYCMS_MEDIA["ALLOWED_TYPES"]`` pass. SVG and HTML have no magic bytes ``filetype`` knows: they are
  refused as unknown, as is anything else that is text.
- Images are opened by Pillow with a pixel limit (decompression bombs), decoded whole (truncated or corrupt files
  are refused), turned upright (EXIF orientation) and **re-encoded**: the stored original holds only pixels, no
  EXIF or GPS metadata, no ICC-profile-borne payload, and no bytes after the image's end (a JPEG with a script
  appended, a polyglot, loses the script).
- PDFs are kept as sent (served as attachments, ``media.serving``), once their header and end marker are found.
- Names lose any path, control characters and characters unsafe in a URL or a file system; their extension is the
  sniffed type's.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from dataclasses import dataclass
from typing import BinaryIO

import filetype
from PIL import Image, ImageOps, features

from media.settings import media_settings

# How many bytes the magic-bytes check reads.
HEAD_BYTES = 8192
NAME_MAX_LENGTH = 100
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/avif": "avif",
    "application/pdf": "pdf",
}
PILLOW_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
    "image/avif": "AVIF",
}
# Characters kept out of names: path separators, what Windows refuses, what a URL would need escaped or a shell
# would read; whitespace runs become one dash.
_UNSAFE = re.compile(r"""[\\/:*?"<>|#%&{}$!'`@+=;,\[\]^~]+""")
_SPACES = re.compile(r"\s+")


class RefusedFile(ValueError):
    """The file is not one the library accepts; the message says why, for the uploader."""


@dataclass(frozen=True)
class CheckedFile:
    """An accepted upload: what to store, its type and, for an image, its size."""

    content: bytes
    mime_type: str
    width: int | None = None
    height: int | None = None

    @property
    def is_image(self) -> bool:
        return self.mime_type.startswith("image/")


def accepted_types() -> list[str]:
    """The allowed types this server can read (AVIF only where Pillow has it)."""
    return [
        mime
        for mime in media_settings.ALLOWED_TYPES
        if mime in EXTENSIONS and (mime != "image/avif" or features.check("avif"))
    ]


def sniff(head: bytes) -> str | None:
    """The MIME type the leading bytes of a file announce, or None."""
    kind = filetype.guess(head)
    return kind.mime if kind is not None else None


def check(stream: BinaryIO) -> CheckedFile:
    """The file ``stream`` holds, as it will be stored; ``RefusedFile`` if it is not accepted."""
    data = stream.read()
    if not data:
        raise RefusedFile("The file is empty.")
    mime = sniff(data[:HEAD_BYTES])
    allowed = accepted_types()
    if mime not in allowed:
        found = f"Its content is {mime}" if mime else "Its content is of no type the library knows (SVG, HTML or text?)"
        raise RefusedFile(f"{found}; accepted: {', '.join(allowed)}. The type is read from the content, not the name.")
    if mime == "application/pdf":
        return _check_pdf(data)
    return _reencode_image(data, mime)


def _check_pdf(data: bytes) -> CheckedFile:
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
        raise RefusedFile("The PDF is truncated or corrupt (no %%EOF at its end).")
    return CheckedFile(data, "application/pdf")


def _open(data: bytes, mime: str) -> Image.Image:
    """The image, header read, its pixel count checked before any decoding."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[mime]])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise RefusedFile(_too_many_pixels()) from None
    except Exception:
        raise RefusedFile("The image is corrupt: it could not be read.") from None
    if image.width * image.height > media_settings.MAX_IMAGE_PIXELS:
        raise RefusedFile(_too_many_pixels(image.width, image.height))
    return image


def _too_many_pixels(width: int | None = None, height: int | None = None) -> str:
    size = f" ({width}x{height})" if width else ""
    limit = media_settings.MAX_IMAGE_PIXELS
    return f"The image has too many pixels{size}: at most {limit} (POLYCMS_MEDIA['MAX_IMAGE_PIXELS'])."


def _reencode_image(data: bytes, mime: str) -> CheckedFile:
    image = _open(data, mime)
    try:
        image.verify()  # structure and checksums (PNG CRCs)
        image = _open(data, mime)
        frames = getattr(image, "n_frames", 1)
        if frames * image.width * image.height > 4 * media_settings.MAX_IMAGE_PIXELS:
            raise RefusedFile(f"The animation has too many frames ({frames}) of this size.")
        image.load()  # every pixel of the first frame: a truncated file fails here
        out = io.BytesIO()
        if frames > 1:
            _save_animation(image, out, PILLOW_FORMATS[mime])
        else:
            ImageOps.exif_transpose(image, in_place=True)  # no copy of the pixels: uploads are large
            _save_still(image, out, PILLOW_FORMATS[mime])
    except RefusedFile:
        raise
    except Exception:
        raise RefusedFile("The image is truncated or corrupt: it could not be decoded.") from None
    return CheckedFile(out.getvalue(), mime, image.width, image.height)


def _save_still(image: Image.Image, out: BinaryIO, fmt: str) -> None:
    """``image``'s pixels, its transparency and colour profile only: no EXIF, XMP, comments or text chunks."""
    options = _kept_info(image)
    if fmt == "JPEG":
        options.pop("transparency", None)
        image = image.convert("RGB") if image.mode not in {"RGB", "L", "CMYK"} else image
        options.update(quality=media_settings.QUALITY, optimize=True)
    elif fmt in {"WEBP", "AVIF"}:
        options["quality"] = media_settings.QUALITY
    image.info = {}  # some encoders read metadata from info, not only from the options
    image.save(out, fmt, **options)


def _kept_info(image: Image.Image) -> dict:
    return {key: image.info[key] for key in ("transparency", "icc_profile") if image.info.get(key) is not None}


def _save_animation(image: Image.Image, out: BinaryIO, fmt: str) -> None:
    options = {"save_all": True, "loop": image.info.get("loop", 0), **_kept_info(image)}
    if "duration" in image.info:
        options["duration"] = image.info["duration"]
    image.info = {}
    image.save(out, fmt, **options)


def clean_name(name: str, mime: str) -> str:
    """A name safe in a URL and on any file system, readable (unicode letters kept), with the extension of
    ``mime``: no path, control characters or unsafe punctuation; ``file.<ext>`` when nothing is left."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(char for char in name if not unicodedata.category(char).startswith("C"))
    stem = name.rsplit(".", 1)[0] if "." in name.strip(".") else name
    stem = _SPACES.sub("-", _UNSAFE.sub("-", stem)).strip(".-_ ")
    stem = re.sub(r"-{2,}", "-", stem)[:NAME_MAX_LENGTH].strip(".-_ ") or "file"
    return f"{stem}.{EXTENSIONS[mime]}"
