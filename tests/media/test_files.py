"""media.files: what an upload is, by its content, and what of it is kept."""

from __future__ import annotations

import io

import pytest
from PIL import Image, features

from media import files
from media.files import RefusedFile, check, clean_name
from tests.media.conftest import image_bytes, pdf_bytes

SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<script>alert(document.cookie)</script><rect width="10" height="10"/></svg>'
)
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SCRIPT = b"<script>alert(document.domain)</script>"


def checked(content: bytes) -> files.CheckedFile:
    return check(io.BytesIO(content))


def refusal(content: bytes) -> str:
    with pytest.raises(RefusedFile) as refused:
        checked(content)
    return str(refused.value)


@pytest.mark.parametrize(
    ("content", "mime"),
    [
        (image_bytes("JPEG"), "image/jpeg"),
        (image_bytes("PNG"), "image/png"),
        (image_bytes("GIF", mode="P"), "image/gif"),
        (image_bytes("WEBP"), "image/webp"),
        (pdf_bytes(), "application/pdf"),
    ],
    ids=["jpeg", "png", "gif", "webp", "pdf"],
)
def test_every_allowed_type_is_accepted_by_its_content(content, mime):
    result = checked(content)
    assert result.mime_type == mime
    if mime.startswith("image/"):
        assert (result.width, result.height) == (800, 600)
        assert Image.open(io.BytesIO(result.content)).format == files.PILLOW_FORMATS[mime]


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow has no AVIF support")
def test_avif_is_accepted_where_pillow_reads_it():
    assert checked(image_bytes("AVIF", size=(64, 48))).mime_type == "image/avif"


def test_animated_gif_keeps_its_frames():
    frames = [Image.new("RGB", (40, 30), color) for color in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    stored = Image.open(io.BytesIO(checked(out.getvalue()).content))
    assert stored.n_frames == 3


def test_svg_with_a_script_is_refused_naming_the_accepted_types():
    message = refusal(SVG_WITH_SCRIPT)
    assert "SVG" in message and "image/jpeg" in message and "application/pdf" in message


def test_html_renamed_jpg_is_refused_whatever_its_name():
    assert "accepted: image/jpeg" in refusal(HTML)


def test_a_type_outside_the_allow_list_is_refused(settings):
    settings.POLYCMS_MEDIA = {"ALLOWED_TYPES": ["image/png"]}
    assert "Its content is image/jpeg; accepted: image/png" in refusal(image_bytes("JPEG"))


def test_jpeg_with_a_script_appended_is_stored_without_it():
    polyglot = image_bytes("JPEG") + SCRIPT
    stored = checked(polyglot).content
    assert SCRIPT not in stored
    assert stored.endswith(b"\xff\xd9")  # ends where the JPEG ends


def test_decompression_bomb_is_refused_before_decoding(settings):
    # 20000 x 20000 pixels of one colour: a few hundred kilobytes compressed, 400 megapixels decoded.
    bomb = image_bytes("PNG", size=(20_000, 20_000), mode="1")
    assert len(bomb) < 1_000_000
    assert "too many pixels" in refusal(bomb)


def test_pixel_limit_is_a_setting(settings):
    settings.POLYCMS_MEDIA = {"MAX_IMAGE_PIXELS": 1000}
    assert "at most 1000" in refusal(image_bytes("PNG", size=(100, 11)))


def test_truncated_png_is_refused():
    png = image_bytes("PNG")
    assert "truncated or corrupt" in refusal(png[: len(png) // 2])


def test_truncated_jpeg_is_refused():
    jpeg = image_bytes("JPEG")
    assert "truncated or corrupt" in refusal(jpeg[: len(jpeg) // 2])


def test_empty_file_is_refused():
    assert refusal(b"") == "The file is empty."


def test_truncated_pdf_is_refused():
    pdf = pdf_bytes()
    assert "truncated" in refusal(pdf[: len(pdf) // 2])


def test_exif_and_gps_are_stripped_and_orientation_applied():
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "SpyCam"  # Make
    exif.get_ifd(0x8825)[2] = (48.0, 51.0, 24.0)  # GPSLatitude
    content = image_bytes("JPEG", size=(80, 60), exif=exif.tobytes())
    assert Image.open(io.BytesIO(content)).getexif()[0x010F] == "SpyCam"

    result = checked(content)
    stored = Image.open(io.BytesIO(result.content))
    assert (result.width, result.height) == stored.size == (60, 80)  # upright
    assert not stored.getexif()
    assert b"SpyCam" not in result.content and b"Exif" not in result.content


def test_png_text_chunks_are_stripped():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "secret location")
    result = checked(image_bytes("PNG", pnginfo=info))
    assert b"secret location" not in result.content


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("..\\..\\windows\\system32\\x.jpg", "x.jpg"),
        ("/var/www/photo.JPG", "photo.jpg"),
        ("Été à Paris.jpeg", "Été-à-Paris.jpg"),
        ("nul\x00byte\x1b[31m.jpg", "nulbyte-31m.jpg"),
        ("a<b>c:d|e?.jpg", "a-b-c-d-e.jpg"),
        ("..", "file.jpg"),
        ("", "file.jpg"),
        ("photo.png", "photo.jpg"),  # the extension is the content's
        ("archive.tar.gz", "archive.tar.jpg"),
        ("x" * 300 + ".jpg", "x" * files.NAME_MAX_LENGTH + ".jpg"),
        ("\u202egpj.exe", "gpj.jpg"),  # right-to-left override (a format character) dropped
    ],
)
def test_names_are_cleaned(given, expected):
    assert clean_name(given, "image/jpeg") == expected
