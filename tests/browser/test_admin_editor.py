"""The admin's post editor in Chromium: an Author writes with Editor.js by typing and the API returns those blocks;
a post made through the API opens in the editor and saves back unchanged; an invalid document (through the JSON
view) is shown with its errors by its blocks; two editors on one post: the second is told, and keeps their text.
Every page runs under the Content-Security-Policy with no violation. Screenshots at 1280 px go to
test-artifacts/admin-editor/ (git-ignored), to be looked at."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.browser import screenshots, test_csp
from tests.browser.conftest import PASSWORD, TIMEOUT_MS
from tests.browser.test_csp import sign_in_to_admin
from tests.live import manage

pytestmark = pytest.mark.browser

WRITER, EDITOR = "wendy", "eli"  # an Author and an Editor, both staff
USERS_SCRIPT = f"""
from django.contrib.auth.models import Group, User
for username, role in (({WRITER!r}, "Author"), ({EDITOR!r}, "Editor")):
    user = User.objects.create_user(username, f"{{username}}@example.com", {PASSWORD!r}, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
"""
WIDTH = 1280

violations = test_csp.violations  # the CSP violations Chromium reports on the page's console


def rich_document(api: str) -> dict:
    """A document with every block type and shape the validator accepts, in its stored (sanitized) form, which
    the tools of the editor would each write differently: list meta, table without withHeadings, an image in
    simple-image's shape, blocks without ids, tunes, entities, a heading level the toolbox does not default to."""
    icon = f"{api}/static/admin/img/icon-yes.svg"  # http on this server: allowed by the validator and img-src
    return {
        "time": 1764633600000,
        "version": "2.28.2",
        "blocks": [
            {"id": "title-1", "type": "header", "data": {"text": "Release notes &amp; more", "level": 1}},
            {
                "type": "paragraph",
                "data": {
                    "text": "Plain <b>bold</b> <i>italic</i> <u>under</u> <s>struck</s> <mark>marked</mark> "
                    '<code>x &lt; y</code> <a href="https://example.com/?a=1&amp;b=2" '
                    'rel="noopener noreferrer nofollow">a link</a>, a&nbsp;b, 1 &gt; 0<br>next line'
                },
            },
            {"id": "empty-1", "type": "paragraph", "data": {"text": ""}},
            {"type": "header", "data": {"text": "Third level", "level": 3}, "tunes": {"anchor": {"id": "third"}}},
            {
                "type": "list",
                "data": {
                    "style": "ordered",
                    "meta": {"start": 3, "counterType": "upper-roman"},
                    "items": [
                        {"content": "One", "meta": {}, "items": [{"content": "One, a", "meta": {}, "items": []}]},
                        {"content": "Two <b>bold</b>", "meta": {}, "items": []},
                    ],
                },
            },
            {
                "type": "list",
                "data": {"style": "unordered", "items": [{"content": "No meta", "meta": {}, "items": []}]},
            },
            {
                "type": "list",
                "data": {
                    "style": "checklist",
                    "meta": {},
                    "items": [
                        {"content": "Done", "meta": {"checked": True}, "items": []},
                        {"content": "To do", "meta": {"checked": False}, "items": []},
                    ],
                },
            },
            {"type": "list", "data": {"style": "unordered", "items": ["A version 1 item", "another"]}},
            {
                "type": "checklist",
                "data": {"items": [{"text": "Checked", "checked": True}, {"text": "Open", "checked": False}]},
            },
            {"type": "quote", "data": {"text": "Quoted <i>words</i>", "caption": "Someone", "alignment": "center"}},
            {"type": "code", "data": {"code": "if (a < b && c > d) {\n  return '<tag>';\n}"}},
            {"type": "delimiter", "data": {}},
            {
                "type": "image",
                "data": {
                    "file": {"url": icon},
                    "caption": "An icon",
                    "withBorder": True,
                    "withBackground": False,
                    "stretched": False,
                },
            },
            {"type": "image", "data": {"url": icon, "caption": "The simple-image shape"}},
            {
                "type": "table",
                "data": {"withHeadings": True, "content": [["Name", "Value"], ["a &amp; b", "<b>1</b>"]]},
            },
            {"type": "table", "data": {"content": [["No withHeadings key", "x"]]}},
            {
                "type": "embed",
                "data": {
                    "service": "youtube",
                    "source": "https://www.youtube.com/watch?v=aqz-KE-bpKQ",
                    "embed": "https://www.youtube.com/embed/aqz-KE-bpKQ",
                    "width": 580,
                    "height": 320,
                    "caption": "A video",
                },
            },
            {"type": "warning", "data": {"title": "Careful", "message": "This is a <b>warning</b>."}},
        ],
    }


@pytest.fixture(scope="module")
def staff(api_server) -> None:
    manage(api_server.env, "shell", "-c", USERS_SCRIPT)


@pytest.fixture
def page(page):
    """The harness's page at the width the admin is checked at."""
    page.set_viewport_size({"width": WIDTH, "height": 900})
    return page


def shot(target, name: str) -> Path:
    """A screenshot of a page (whole) or of a locator, kept under test-artifacts/admin-editor/."""
    return screenshots.save(target, "admin-editor", name)


def api(page, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    """``method path`` on the API from the admin page, as the browser app does: the session cookie, and the
    CSRF token of /auth/csrf for writes."""
    return page.evaluate(
        """async ([method, path, body]) => {
            const headers = {"Accept": "application/json"};
            if (method !== "GET") {
                headers["X-CSRFToken"] = (await fetch("/api/v1/auth/csrf")).headers.get("X-CSRFToken");
                headers["Content-Type"] = "application/json";
            }
            const response = await fetch(path, {method, headers, body: body ? JSON.stringify(body) : undefined});
            return [response.status, await response.json()];
        }""",
        [method, path, body],
    )


def open_editor(page, expect, url: str, blocks: int | None = None) -> None:
    page.goto(url)
    expect(page.locator(".post-editor[data-state=blocks]")).to_be_visible()
    if blocks is not None:
        expect(page.locator(".post-editor__blocks .ce-block")).to_have_count(blocks)


def add_block(page, item: str) -> None:
    """Add a block after the current one from the toolbox (+), by its name there."""
    page.click(".ce-toolbar__plus")
    page.click(f".ce-popover--opened .ce-popover-item:has-text('{item}')")


def post_id(page) -> int:
    return int(re.search(r"/admin/posts/post/(\d+)/change/", page.url).group(1))


def test_an_author_writes_a_post_by_typing_and_the_api_returns_its_blocks(page, expect, api_server, staff, violations):
    base = api_server.url
    sign_in_to_admin(page, expect, base, WRITER)
    open_editor(page, expect, f"{base}/admin/posts/post/add/")
    shot(page, "post-add-empty")

    page.fill("#id_title", "Written in the admin")
    page.click(".post-editor__blocks .ce-paragraph")
    keyboard = page.keyboard
    keyboard.type("Hello ")
    keyboard.press("Control+b")
    keyboard.type("bold")
    keyboard.press("Control+b")
    keyboard.type(" world.")
    keyboard.press("Enter")
    add_block(page, "Heading")
    keyboard.type("A heading")
    keyboard.press("Enter")
    add_block(page, "Unordered List")
    keyboard.type("First item")
    keyboard.press("Enter")
    keyboard.type("Second item")
    shot(page, "post-add-typed")
    page.click("input[name=_continue]")

    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    status, body = api(page, "GET", f"/api/v1/posts/{post_id(page)}")
    assert status == 200
    blocks = [(block["type"], block["data"]) for block in body["data"]["content_raw"]["blocks"]]
    assert blocks[0][0] == "paragraph"
    assert re.fullmatch(r"Hello <b>bold</b>( |&nbsp;)world\.", blocks[0][1]["text"])
    assert blocks[1:] == [
        ("header", {"text": "A heading", "level": 2}),
        (
            "list",
            {
                "style": "unordered",
                "meta": {},
                "items": [
                    {"content": "First item", "meta": {}, "items": []},
                    {"content": "Second item", "meta": {}, "items": []},
                ],
            },
        ),
    ]
    assert body["data"]["content_html"].startswith("<p>Hello <b>bold</b>")
    open_editor(page, expect, page.url, blocks=3)  # and what was saved opens again as those blocks
    expect(page.locator(".post-editor__blocks h2.ce-header")).to_have_text("A heading")
    assert violations == []


def test_a_post_made_through_the_api_opens_in_the_editor_and_saves_back_unchanged(
    page, expect, api_server, staff, violations
):
    base = api_server.url
    sign_in_to_admin(page, expect, base, WRITER)
    document = rich_document(base)
    status, created = api(page, "POST", "/api/v1/posts", {"title": "Made through the API", "content_raw": document})
    assert status == 201, created
    post = created["data"]
    assert post["content_raw"] == document  # stored as sent: the document is already in its sanitized form

    open_editor(page, expect, f"{base}/admin/posts/post/{post['id']}/change/", blocks=len(document["blocks"]))
    expect(page.locator(".post-editor__blocks .image-tool--filled")).to_have_count(2)
    shot(page, "post-change-rich")
    shot(page.locator(".post-editor"), "editor-rich")
    shot(page.locator(".post-preview"), "preview-rich")
    preview_is_styled_as_a_reader_sees_it(page)
    page.click("input[name=_continue]")

    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    status, saved = api(page, "GET", f"/api/v1/posts/{post['id']}")
    assert saved["data"]["content_raw"] == document
    assert saved["data"]["content_html"] == post["content_html"]
    assert violations == []


def preview_is_styled_as_a_reader_sees_it(page) -> None:
    def style(selector: str, pseudo: str | None = None) -> dict:
        return page.eval_on_selector(
            selector,
            """(element, pseudo) => { const s = getComputedStyle(element, pseudo);
                return {listStyle: s.listStyleType, align: s.textAlign, content: s.content, border: s.borderTopStyle,
                        background: s.backgroundColor, family: s.fontFamily, fontSize: s.fontSize}; }""",
            pseudo,
        )

    item = style(".post-preview ul.checklist li")
    assert (item["listStyle"], item["align"]) == ("none", "left")
    assert style(".post-preview ul.checklist li", "::before")["border"] == "solid"  # the checkbox
    assert style(".post-preview ul.checklist li[data-checked=true]", "::after")["content"] == '""'  # its tick
    assert style(".post-preview aside.warning")["background"] != "rgba(0, 0, 0, 0)"
    assert style(".post-preview table td")["border"] == "solid"
    assert style(".post-preview blockquote")["border"] == "none"  # top: the quote's rule is on its left
    assert "mono" in style(".post-preview pre")["family"].lower()
    assert style(".post-preview h1")["fontSize"] == "32px"


def test_an_invalid_document_from_the_json_view_is_shown_with_its_errors_by_its_blocks(
    page, expect, api_server, staff, violations
):
    base = api_server.url
    sign_in_to_admin(page, expect, base, WRITER)
    document = {
        "blocks": [
            {"type": "paragraph", "data": {"text": "Fine"}},
            {"type": "header", "data": {"text": "Heading", "level": 2}},
        ]
    }
    status, created = api(page, "POST", "/api/v1/posts", {"title": "To break", "content_raw": document})
    assert status == 201
    url = f"{base}/admin/posts/post/{created['data']['id']}/change/"
    open_editor(page, expect, url, blocks=2)

    page.click("button:has-text('View JSON')")
    expect(page.locator(".post-editor[data-state=json] #id_content_raw")).to_be_visible()
    shown = json.loads(page.input_value("#id_content_raw"))
    assert shown == document
    shown["blocks"][1]["data"]["level"] = 9
    page.fill("#id_content_raw", json.dumps(shown, indent=2))
    page.click("input[name=_continue]")

    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".field-content_raw > ul.errorlist")).to_have_text(
        "Block 2 (Heading), heading level: Must be an integer from 1 to 6. (blocks[1].data.level)"
    )
    expect(page.locator(".post-editor[data-state=blocks]")).to_be_visible()  # the editor opens what was sent
    second = page.locator(".post-editor__blocks .ce-block").nth(1)
    expect(second.locator(".post-editor__problems")).to_have_text("Heading level: Must be an integer from 1 to 6.")
    expect(page.locator(".post-editor__problems")).to_have_count(1)
    shot(page, "post-change-invalid")
    status, unchanged = api(page, "GET", f"/api/v1/posts/{created['data']['id']}")
    assert unchanged["data"]["content_raw"] == document
    assert violations == []


def test_the_second_of_two_editors_saving_one_post_is_told_and_keeps_their_text(
    page, expect, api_server, staff, chromium, violations
):
    base = api_server.url
    sign_in_to_admin(page, expect, base, WRITER)
    status, created = api(
        page,
        "POST",
        "/api/v1/posts",
        {"title": "Shared", "content_raw": {"blocks": [{"type": "paragraph", "data": {"text": "Start."}}]}},
    )
    assert status == 201
    url = f"{base}/admin/posts/post/{created['data']['id']}/change/"
    other_context = chromium.new_context(viewport={"width": WIDTH, "height": 900})
    other_context.set_default_timeout(TIMEOUT_MS)
    other = other_context.new_page()
    other_violations: list[str] = []
    other.on("console", lambda m: other_violations.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        sign_in_to_admin(other, expect, base, EDITOR)
        open_editor(page, expect, url, blocks=1)
        open_editor(other, expect, url, blocks=1)

        type_at_the_end(page, " Wendy's sentence.")
        page.click("input[name=_continue]")
        expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

        other.fill("#id_title", "Eli's title")
        type_at_the_end(other, " Eli's sentence.")
        other.click("input[name=_continue]")

        conflict = other.locator(".errornote + ul.errorlist.nonfield, ul.errorlist.nonfield")
        expect(conflict.first).to_contain_text(
            re.compile(r"wendy changed this post on .+ at \d\d:\d\d:\d\d .+, after you opened it\. Nothing was saved")
        )
        expect(other.locator("#id_title")).to_have_value("Eli's title")
        expect(other.locator(".post-editor[data-state=blocks]")).to_be_visible()
        expect(other.locator(".post-editor__blocks .ce-paragraph").first).to_have_text("Start. Eli's sentence.")
        shot(other, "post-change-conflict")
        status, now = api(page, "GET", f"/api/v1/posts/{created['data']['id']}")
        assert now["data"]["title"] == "Shared" and "Wendy's sentence." in now["data"]["content_html"]

        other.click("input[name=_continue]")  # knowingly: replaces Wendy's version with Eli's
        expect(other.locator(".messagelist")).to_contain_text("was changed successfully")
        status, now = api(page, "GET", f"/api/v1/posts/{created['data']['id']}")
        assert now["data"]["title"] == "Eli's title" and "Eli's sentence." in now["data"]["content_html"]
        assert "Wendy" not in now["data"]["content_html"]
    finally:
        other_context.close()
    assert violations == [] and other_violations == []


def type_at_the_end(page, text: str) -> None:
    page.click(".post-editor__blocks .ce-paragraph >> nth=0")
    page.keyboard.press("End")
    page.keyboard.type(text)


def test_the_post_list_shows_badges_filters_search_and_dates(page, expect, api_server, staff, violations):
    base = api_server.url
    sign_in_to_admin(page, expect, base, EDITOR)
    # Scheduled, so not live: the other browser tests' users must not see it.
    scheduled = {"title": "Next year's news", "status": "published", "published_at": "2031-01-15T09:00:00Z"}
    assert api(page, "POST", "/api/v1/posts", scheduled)[0] == 201
    page.goto(f"{base}/admin/posts/post/")

    expect(page.locator("#changelist-filter")).to_contain_text("By status")
    expect(page.locator("#changelist-search input[name=q]")).to_be_visible()
    expect(page.locator("nav.toplinks")).to_contain_text("2031")  # date navigation, by publication date
    expect(page.locator("#result_list .post-status--draft").first).to_have_text("Draft")
    expect(page.locator("#result_list .post-status--scheduled")).to_have_text("Scheduled")
    badge = page.eval_on_selector("#result_list .post-status", "e => getComputedStyle(e).borderRadius")
    assert badge == "10px"
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH  # nothing cut off at 1280 px,
    assert page.eval_on_selector("#changelist .results", "e => e.scrollWidth <= e.clientWidth")  # nor scrolled away
    shot(page, "post-list")
    assert violations == []
