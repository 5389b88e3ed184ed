"""Renditions: the sizes of an image set in ``POLYCMS_MEDIA["RENDITIONS"]`` (each also as WebP with
``WEBP_RENDITIONS``), what each measures, and how one is made from the stored original."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from PIL import Image, ImageOps

from media.settings import media_settings

WEBP_SUFFIX = "_webp"


@dataclass(frozen=True)
class Spec:
    name: str
    width: int
    height: int
    crop: bool
    webp: bool

    def size_for(self, width: int, height: int) -> tuple[int, int]:
        """The rendition's size for an original of ``width`` x ``height``: the box when cropping (or the original,
        when smaller), else the largest size that fits in the box keeping the aspect ratio, never enlarged."""
        if self.crop:
            return min(self.width, width), min(self.height, height)
        scale = min(self.width / width, self.height / height, 1)
        return max(1, round(width * scale)), max(1, round(height * scale))


def specs() -> list[Spec]:
    """Every rendition an image gets, in settings order, each WebP variant after its size."""
    found = []
    for name, box in media_settings.RENDITIONS.items():
        found.append(Spec(name, box["width"], box["height"], bool(box.get("crop")), webp=False))
        if media_settings.WEBP_RENDITIONS:
            found.append(Spec(name + WEBP_SUFFIX, box["width"], box["height"], bool(box.get("crop")), webp=True))
    return found


def extension(spec: Spec, original_mime: str) -> str:
    if spec.webp:
        return "webp"
    return {"image/png": "png", "image/gif": "png", "image/webp": "webp"}.get(original_mime, "jpg")


def render(original: bytes, spec: Spec, original_mime: str) -> tuple[bytes, int, int]:
    """The rendition ``spec`` of the image ``original`` (already checked by ``media.files``), its width and height.
    Animations give their first frame."""
    with Image.open(io.BytesIO(original)) as image:
        image.seek(0)
        size = spec.size_for(image.width, image.height)
        if image.format == "JPEG":
            # libjpeg decodes at 1/2, 1/4 or 1/8 scale when that still covers what is needed: a fraction of the
            # time and memory of decoding a camera's full-size photo to make a 150 px thumbnail.
            scale = max(size[0] / image.width, size[1] / image.height)
            image.draft("RGB", (math.ceil(image.width * scale), math.ceil(image.height * scale)))
        frame = image.convert("RGBA") if image.mode in {"P", "PA", "LA", "RGBA"} else image.convert("RGB")
        if spec.crop:
            resized = ImageOps.fit(frame, size, Image.Resampling.LANCZOS)
        else:
            resized = frame.resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    ext = extension(spec, original_mime)
    if ext == "jpg":
        resized.convert("RGB").save(out, "JPEG", quality=media_settings.QUALITY, optimize=True)
    elif ext == "webp":
        resized.save(out, "WEBP", quality=media_settings.QUALITY)
    else:
        resized.save(out, "PNG", optimize=True)
    return out.getvalue(), resized.width, resized.height
