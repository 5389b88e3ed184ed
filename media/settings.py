"""The ``POLYCMS_MEDIA`` settings dict, with its defaults."""

from polycms.conf import AppSettings

media_settings = AppSettings(
    "POLYCMS_MEDIA",
    {
        # The most bytes one uploaded file may have. Enforced while the body streams in: past it, 413 before the
        # rest is read, and nothing is stored.
        "MAX_UPLOAD_BYTES": 10 * 1024 * 1024,
        # The types accepted, decided by the file's content (its magic bytes), never by its name or the client's
        # Content-Type. image/avif is accepted only where Pillow can read it. SVG and HTML are never accepted.
        "ALLOWED_TYPES": ["image/jpeg", "image/png", "image/gif", "image/webp", "image/avif", "application/pdf"],
        # Images with more pixels than this are refused (decompression bombs): 50 megapixels, a 8660x5773 photo.
        "MAX_IMAGE_PIXELS": 50_000_000,
        # The sizes made of every image, in the background: crop fills the box exactly (centre crop); otherwise
        # the image fits inside it, never enlarged.
        "RENDITIONS": {
            "thumbnail": {"width": 150, "height": 150, "crop": True},
            "medium": {"width": 565, "height": 375, "crop": False},
        },
        # Each rendition also as WebP, named "<name>_webp".
        "WEBP_RENDITIONS": True,
        # Quality of re-encoded JPEG originals and of JPEG and WebP renditions.
        "QUALITY": 85,
    },
)
