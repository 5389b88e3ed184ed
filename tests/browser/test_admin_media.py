"""The media library in Chromium: an Editor uploads an image from the post editor's image block (through the API,
with the admin's session and CSRF token), picks another from the library, saves, and the API returns the image blocks
with the uploaded files' URLs, served with their type and nosniff; the library's admin page shows thumbnails. No CSP
violation. Screenshots at 1280 px go to test-artifacts/admin-media/ (git-ignored), to be looked at."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from tests.browser import screenshots, test_csp
from tests.browser.conftest import PASSWORD
from tests.browser.test_admin_editor import add_block, api, open_editor, post_id
from tests.browser.test_csp import sign_in_to_admin
from tests.live import manage

pytestmark = pytest.mark.browser

EDITOR = "mira"  # an Editor, staff; a name no other browser test uses
USERS_SCRIPT = f"""
from django.contrib.auth.models import Group, User
user = User.objects.create_user({EDITOR!r}, "{EDITOR}@example.com", {PASSWORD!r}, is_staff=True)
user.groups.add(Group.objects.get(name="Editor"))
"""
RENDITIONS_SCRIPT = """
from media.models import Media
from media.services import renditions_make
for media_id in Media.objects.values_list("pk", flat=True):
    renditions_make(media_id=media_id)
"""
WIDTH = 1280

violations = test_csp.violations


@pytest.fixture(scope="module")
def media_editor(api_server) -> None:
    manage(api_server.env, "shell", "-c", USERS_SCRIPT)


@pytest.fixture
def page(page):
    page.set_viewport_size({"width": WIDTH, "height": 900})
    return page


def shot(page, name: str) -> Path:
    return screenshots.save(page, "admin-media", name)


def photo(path: Path, color: str, size=(1200, 800)) -> Path:
    image = Image.new("RGB", size, color)
    image.paste(Image.new("RGB", (size[0] // 3, size[1] // 3), "white"), (size[0] // 3, size[1] // 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    path.write_bytes(out.getvalue())
    return path


def test_an_editor_inserts_an_uploaded_image_and_one_from_the_library(
    page, expect, api_server, media_editor, violations, tmp_path
):
    base = api_server.url
    sign_in_to_admin(page, expect, base, EDITOR)
    # One image already in the library, uploaded in the library's own admin page.
    page.goto(f"{base}/admin/media/media/add/")
    page.set_input_files("#id_upload", str(photo(tmp_path / "Harbour at dawn.jpg", "steelblue")))
    page.fill("#id_alt_text", "A harbour at dawn")
    shot(page, "media-add")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    open_editor(page, expect, f"{base}/admin/posts/post/add/")
    page.fill("#id_title", "Pictures from the coast")
    page.click(".post-editor__blocks .ce-paragraph")
    page.keyboard.type("Two pictures.")
    page.keyboard.press("Enter")
    add_block(page, "Image")
    block = page.locator(".post-editor__blocks .image-tool").last
    expect(block.locator(".post-editor__image-upload")).to_be_visible()
    shot(page, "image-block-empty")
    with page.expect_file_chooser() as chooser:
        block.locator(".post-editor__image-upload").click()
    chooser.value.set_files(str(photo(tmp_path / "Cliffs.jpg", "darkolivegreen")))
    uploaded = block.locator("img.image-tool__image-picture")
    expect(uploaded).to_have_attribute(
        "src", re.compile(rf"^{re.escape(base)}/media/\d{{4}}/\d{{2}}/[0-9a-f]{{8}}-Cliffs\.jpg$")
    )
    block.locator(".image-tool__caption").click()
    page.keyboard.type("The cliffs")

    page.keyboard.press("Enter")  # a new paragraph after the image, then a second image block from the library
    add_block(page, "Image")
    second = page.locator(".post-editor__blocks .image-tool").last
    second.locator(".post-editor__image-pick").click()
    choices = second.locator(".post-editor__image-choice")
    expect(choices).to_have_count(2)  # newest first: the cliffs, then the harbour
    shot(page, "image-block-library")
    choices.nth(1).click()
    expect(second.locator("img.image-tool__image-picture")).to_have_attribute(
        "src", re.compile(r"-Harbour-at-dawn\.jpg$")
    )
    shot(page, "post-with-images")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    status, body = api(page, "GET", f"/api/v1/posts/{post_id(page)}")
    assert status == 200
    images = [block["data"] for block in body["data"]["content_raw"]["blocks"] if block["type"] == "image"]
    assert [image.get("caption", "") for image in images] == ["The cliffs", ""]
    status, library = api(page, "GET", "/api/v1/media")
    urls = {item["name"]: item["url"] for item in library["data"]}
    assert [image["file"]["url"] for image in images] == [urls["Cliffs.jpg"], urls["Harbour-at-dawn.jpg"]]
    assert f'<img src="{urls["Cliffs.jpg"]}" alt="The cliffs">' in body["data"]["content_html"]

    served = page.request.get(urls["Cliffs.jpg"])
    assert served.status == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"

    # The library's page, once the renditions are made (the job runner's work, run here in one go).
    manage(api_server.env, "shell", "-c", RENDITIONS_SCRIPT)
    page.goto(f"{base}/admin/media/media/")
    thumbnails = page.locator("#result_list img.media-thumb")
    expect(thumbnails).to_have_count(2)
    for index in range(2):
        expect(thumbnails.nth(index)).to_have_attribute("src", re.compile(r"-thumbnail\.jpg$"))
        assert page.evaluate("image => image.naturalWidth", thumbnails.nth(index).element_handle()) == 150
    shot(page, "media-library")
    page.locator("#result_list a:has-text('Cliffs.jpg')").first.click()
    expect(page.locator("img.media-preview")).to_be_visible()
    shot(page, "media-change")
    assert violations == []
