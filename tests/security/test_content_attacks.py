"""Issue 10, items 3 and 11, through the API with a Contributor's token: an Editor.js document that costs
seconds of sanitizing per create, and inline HTML stored live in ``content_raw`` (which the admin's block
editor loads into the page)."""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import pytest

from posts.models import Post
from posts.settings import posts_settings
from tools.bench import documents

pytestmark = pytest.mark.django_db

LINK_REL = "noopener noreferrer nofollow"
MARKUP = "('<', '&' or no-break spaces)"


@pytest.fixture
def as_contributor(contributor, token_client):
    return token_client(contributor)


def create(client, document: Any):
    return client.post("/api/v1/posts", {"title": "Attack", "content_raw": document}, format="json")


def block(block_type: str, **data: Any) -> dict[str, Any]:
    return {"type": block_type, "data": data}


def table(rows: int, columns: int, cell: str = "") -> dict[str, Any]:
    return block("table", content=[[cell] * columns for _ in range(rows)])


def assert_refused(response, location: str, message: str) -> None:
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.content[:300]
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"] == {location: [message]}
    assert error["message"] == f"{location}: {message}"


# --- Item 3: expensive documents --------------------------------------------------------------------------


def test_the_huge_table_document_is_refused_naming_the_limit(as_contributor):
    # The reported document: 7 tables of 500 rows, 171 500 cells in 510 KiB, under the size limit. Every
    # cell was sanitized twice: 2.5-2.8 s of work per create, for any Contributor, as often as they liked.
    document = {"blocks": [table(500, 49)] * 7}
    assert len(json.dumps(document, separators=(",", ":")).encode()) <= posts_settings.CONTENT_MAX_BYTES

    response = create(as_contributor, document)

    assert_refused(
        response,
        "content_raw.document",
        "The document has 171500 table cells; the maximum is 3000 (POLYCMS_POSTS['CONTENT_MAX_TABLE_CELLS']).",
    )
    assert not Post.objects.exists()


def _lists(items: int) -> list[dict[str, Any]]:
    nested = [{"content": "<b>i</b>", "items": [{"content": "<i>j</i>", "items": []}]}] * (items // 2)
    return [block("list", style="ordered", items=nested), block("checklist", items=[{"text": "c"}] * (items % 2))]


# Each limit: the blocks of a document at `n` of it, where the error is, and the message ({limit} is the limit
# followed by its setting's name).
WORK_LIMITS: dict[str, tuple[Callable[[int], list[dict[str, Any]]], str, str]] = {
    "CONTENT_MAX_TABLE_CELLS": (
        lambda cells: [table(cells // 10, 10, "c"), table(1, cells % 10, "c")],
        "content_raw.document",
        "The document has {over} table cells; the maximum is {limit}.",
    ),
    "CONTENT_MAX_LIST_ITEMS": (
        _lists,
        "content_raw.document",
        "The document has {over} list items (nested and checklist items included); the maximum is {limit}.",
    ),
    "CONTENT_MAX_TEXT_LENGTH": (
        lambda length: [block("paragraph", text="x" * (length // 4))] * 4 + [block("quote", text="y" * (length % 4))],
        "content_raw.document",
        "The document has {over} characters of text; the maximum is {limit}.",
    ),
    "CONTENT_MAX_MARKUP": (
        lambda markup: (
            [block("paragraph", text="<br>" * 500)] * (markup // 500)
            + [block("warning", title="&amp;" * (markup % 500), message="")]
        ),
        "content_raw.document",
        "The document has {over} markup characters " + MARKUP + " in its text; the maximum is {limit}.",
    ),
    "CONTENT_MAX_FIELD_MARKUP": (
        lambda markup: [block("paragraph", text="<div>" * markup)],
        "content_raw.blocks[0].data.text",
        "Must have at most {limit} markup characters " + MARKUP + "; it has {over}.",
    ),
    "CONTENT_MAX_BLOCKS": (
        lambda blocks: [block("delimiter")] * blocks,
        "content_raw.blocks",
        "Too many blocks ({over}); the maximum is {limit}.",
    ),
    # Tunes are kept as given: without this limit, 200 KiB of tiny arrays in one tripled a create's cost.
    "CONTENT_MAX_VALUES": (
        # The document, its blocks, the block, its type, data and tunes, and the tune's array: 7 values.
        lambda values: [{"type": "delimiter", "data": {}, "tunes": {"x": [[]] * (values - 7)}}],
        "content_raw.document",
        "The document has more than {limit} JSON values.",
    ),
}


@pytest.mark.parametrize("setting", WORK_LIMITS)
def test_a_document_at_a_work_limit_is_created(as_contributor, setting):
    make, _, _ = WORK_LIMITS[setting]

    response = create(as_contributor, {"blocks": make(getattr(posts_settings, setting))})

    assert response.status_code == HTTPStatus.CREATED, response.content[:300]


@pytest.mark.parametrize("setting", WORK_LIMITS)
def test_a_document_over_a_work_limit_is_refused_naming_the_limit(as_contributor, setting):
    make, location, message = WORK_LIMITS[setting]
    limit = getattr(posts_settings, setting)

    response = create(as_contributor, {"blocks": make(limit + 1)})

    assert_refused(response, location, message.format(over=limit + 1, limit=f"{limit} (POLYCMS_POSTS['{setting}'])"))
    assert not Post.objects.exists()


def test_limits_from_settings_apply_and_are_named(as_contributor, settings):
    settings.POLYCMS_POSTS = {"CONTENT_MAX_LIST_ITEMS": 3}

    response = create(as_contributor, {"blocks": [block("list", items=["a", "b", "c", "d"])]})

    assert_refused(
        response,
        "content_raw.document",
        "The document has 4 list items (nested and checklist items included); the maximum is 3"
        " (POLYCMS_POSTS['CONTENT_MAX_LIST_ITEMS']).",
    )


def test_the_costliest_document_the_limits_accept_is_created(as_contributor):
    # The document `make bench` times as "worst-case create" (tools.bench.documents.worst_case).
    response = create(as_contributor, documents.worst_case())

    assert response.status_code == HTTPStatus.CREATED, response.content[:300]
    first_cell = response.json()["data"]["content_raw"]["blocks"][0]["data"]["content"][0][0]
    assert first_cell.startswith(f'<a href="https://example.com/a?b=c#d" rel="{LINK_REL}">x')


# --- Item 11: live HTML in content_raw ------------------------------------------------------------------------

PAYLOAD = (
    '<img src=x onerror=alert(1)><b onclick="alert(2)">bold</b> '
    '<a href="javascript:alert(3)">link</a><script>alert(4)</script>'
    '<svg onload=alert(5)></svg><a href="https://example.com/" onmouseover="alert(6)">ok</a>'
)
CLEANED = f'<b>bold</b> <a rel="{LINK_REL}">link</a><a href="https://example.com/" rel="{LINK_REL}">ok</a>'
IMAGE = "https://cdn.example.com/cat.png"
YOUTUBE = {
    "service": "youtube",
    "source": "https://www.youtube.com/watch?v=x",
    "embed": "https://www.youtube.com/embed/x",
}

# Every inline-HTML text field of every block type: the block carrying PAYLOAD there, and where to read it.
TEXT_FIELDS: dict[str, tuple[dict[str, Any], Callable[[dict[str, Any]], str]]] = {
    "paragraph.text": (block("paragraph", text=PAYLOAD), lambda data: data["text"]),
    "header.text": (block("header", text=PAYLOAD, level=2), lambda data: data["text"]),
    "list.items (strings)": (block("list", items=[PAYLOAD]), lambda data: data["items"][0]),
    "list.items[].content": (
        block("list", items=[{"content": "a", "items": [{"content": PAYLOAD, "items": []}]}]),
        lambda data: data["items"][0]["items"][0]["content"],
    ),
    "checklist.items[].text": (block("checklist", items=[{"text": PAYLOAD}]), lambda data: data["items"][0]["text"]),
    "quote.text": (block("quote", text=PAYLOAD), lambda data: data["text"]),
    "quote.caption": (block("quote", text="q", caption=PAYLOAD), lambda data: data["caption"]),
    "image.caption": (block("image", file={"url": IMAGE}, caption=PAYLOAD), lambda data: data["caption"]),
    "table.content": (block("table", content=[["a", PAYLOAD]]), lambda data: data["content"][0][1]),
    "embed.caption": (block("embed", **YOUTUBE, caption=PAYLOAD), lambda data: data["caption"]),
    "warning.title": (block("warning", title=PAYLOAD, message="m"), lambda data: data["title"]),
    "warning.message": (block("warning", title="t", message=PAYLOAD), lambda data: data["message"]),
}
LIVE_HTML = ("onerror", "onclick", "onload", "onmouseover", "javascript:", "<script", "<img", "<svg", "alert(")


def assert_no_live_html(document: dict[str, Any]) -> None:
    text = json.dumps(document).lower()
    for fragment in LIVE_HTML:
        assert fragment not in text, document


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_stored_content_raw_holds_only_allow_listed_inline_html(as_contributor, field):
    submitted, read = TEXT_FIELDS[field]

    response = create(as_contributor, {"blocks": [submitted]})

    assert response.status_code == HTTPStatus.CREATED, response.content[:300]
    returned = response.json()["data"]["content_raw"]
    stored = Post.objects.get().content_raw
    fetched = as_contributor.get(f"/api/v1/posts/{response.json()['data']['id']}").json()["data"]["content_raw"]
    for document in (returned, stored, fetched):
        assert read(document["blocks"][0]["data"]) == CLEANED
        assert_no_live_html(document)


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_an_update_stores_content_raw_reduced_too(as_contributor, field):
    submitted, read = TEXT_FIELDS[field]
    post = create(as_contributor, {"blocks": [block("paragraph", text="Draft")]}).json()["data"]

    response = as_contributor.patch(
        f"/api/v1/posts/{post['id']}", {"content_raw": {"blocks": [submitted]}}, format="json"
    )

    assert response.status_code == HTTPStatus.OK, response.content[:300]
    stored = Post.objects.get().content_raw
    assert read(stored["blocks"][0]["data"]) == CLEANED
    assert_no_live_html(stored)
    assert_no_live_html(response.json()["data"]["content_raw"])


def test_code_stays_plain_text_as_given(as_contributor):
    response = create(as_contributor, {"blocks": [block("code", code=PAYLOAD)]})

    data = response.json()["data"]
    assert data["content_raw"]["blocks"][0]["data"]["code"] == PAYLOAD
    assert Post.objects.get().content_raw["blocks"][0]["data"]["code"] == PAYLOAD
    assert "<script" not in data["content_html"] and "<img" not in data["content_html"]


def test_a_clean_editorjs_document_round_trips_unchanged(as_contributor):
    document = {
        "time": 1700000000000,
        "blocks": [
            {"id": "h1", "type": "header", "data": {"text": "Hello", "level": 2}},
            {
                "id": "p1",
                "type": "paragraph",
                "data": {
                    "text": f'Hi <b>there</b> &amp; <a href="https://example.com/" rel="{LINK_REL}">you</a>&nbsp;!'
                },
            },
            {"id": "c1", "type": "code", "data": {"code": "<b>kept</b> as text"}},
        ],
        "version": "2.28.2",
    }

    created = create(as_contributor, document).json()["data"]
    again = as_contributor.put(f"/api/v1/posts/{created['id']}", created, format="json")  # sent back as fetched

    assert created["content_raw"] == document
    assert again.json()["data"]["content_raw"] == document
