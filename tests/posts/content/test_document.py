"""The public API of posts.content and posts/content/document.py: decoding, document and block fields, sanitizing."""

from __future__ import annotations

import copy
import json

import pytest

from posts.content import Document, parse_document, plain_text, render_html
from tests.posts.content.helpers import IMAGE_URL, LINK_REL, block, embed, errors_for, item, render, table


def test_seed_string_form_parses_and_renders():
    document = parse_document('{"blocks":[{"type":"paragraph","data":{"text":"Created via REST!"}}]}')

    assert document == {"blocks": [{"type": "paragraph", "data": {"text": "Created via REST!"}}]}
    assert render_html(document) == "<p>Created via REST!</p>"
    assert plain_text(document) == "Created via REST!"


@pytest.mark.parametrize("value", [None, "", "  \n"])
def test_missing_content_is_the_empty_document(value):
    document = parse_document(value)

    assert document == {"blocks": []}
    assert render_html(document) == ""
    assert plain_text(document) == ""


def test_string_and_dict_forms_are_equivalent():
    value = {"time": 1700000000000, "blocks": [block("paragraph", text="Hi")], "version": "2.28.2"}

    assert parse_document(json.dumps(value)) == parse_document(value) == value


def test_result_is_a_copy_of_the_input():
    value = {"blocks": [{"type": "paragraph", "data": {"text": "Hi"}, "tunes": {"anchor": {"id": "x"}}}]}

    document = parse_document(value)
    document["blocks"][0]["tunes"]["anchor"]["id"] = "changed"

    assert value["blocks"][0]["tunes"]["anchor"]["id"] == "x"


def test_the_callers_document_is_left_unchanged():
    value = {
        "blocks": [
            {**block("paragraph", text="<b onclick=x>a</b>"), "tunes": {"t": ["<i>x</i>"]}},
            block("list", items=["<i>b</i>", "c"]),
            block("list", items=[item("<s>d</s>", [item("<u>e</u>")])]),
            block("checklist", items=[{"text": "<b>f</b>", "checked": True}]),
            block("table", content=[["<img src=x>g", "h"]]),
            block("warning", title="<b>i</b>", message="<script>j</script>"),
        ]
    }
    given = copy.deepcopy(value)

    document = parse_document(value)

    assert value == given
    assert document["blocks"][0]["data"]["text"] == "<b>a</b>"


def test_block_id_and_tunes_are_kept():
    value = {"blocks": [{"id": "oUq2g_tl8y", "type": "delimiter", "data": {}, "tunes": {"align": {"x": [1]}}}]}

    assert parse_document(value) == value


def test_unknown_data_fields_are_dropped_and_defaults_filled():
    value = {
        "blocks": [
            block("paragraph", text="a", alignment="left"),
            block("list", items=[{"content": "x"}]),
            block("checklist", items=[{"text": "y"}]),
            block("delimiter", anything="goes"),
        ]
    }

    assert parse_document(value)["blocks"] == [
        block("paragraph", text="a"),
        block("list", style="unordered", items=[item("x")]),
        block("checklist", items=[{"text": "y", "checked": False}]),
        block("delimiter"),
    ]


@pytest.mark.parametrize("value", ["not json", "{", "{'blocks': []}", '{"blocks": [NaN]}'])
def test_invalid_json_is_a_document_error(value):
    errors = errors_for(value)

    assert list(errors) == ["document"]
    assert errors["document"][0].startswith("Content is not valid JSON")


@pytest.mark.parametrize("value", ["[]", "1", '"text"', "null", "true", [], 3])
def test_non_object_json_is_a_document_error(value):
    assert errors_for(value) == {"document": ['Content must be a JSON object with a "blocks" array.']}


@pytest.mark.parametrize("value", [{"blocks": [object()]}, {"blocks": [float("nan")]}])
def test_non_json_data_is_a_document_error(value):
    assert errors_for(value) == {"document": ["Content must be JSON data."]}


@pytest.mark.parametrize(
    ("value", "location", "message"),
    [
        ({}, "blocks", "This field is required."),
        ({"blocks": {}}, "blocks", "Must be an array."),
        ({"blocks": [], "time": "now"}, "time", "Must be an integer of at least 0."),
        ({"blocks": [], "time": True}, "time", "Must be an integer of at least 0."),
        ({"blocks": [], "version": 2}, "version", "Must be a string."),
        ({"blocks": [], "html": "<p>x</p>"}, "html", "Unknown field."),
    ],
)
def test_document_field_errors(value, location, message):
    assert errors_for(value) == {location: [message]}


@pytest.mark.parametrize(
    ("value", "location"),
    [
        ("paragraph", "blocks[0]"),
        ({"data": {}}, "blocks[0].type"),
        ({"type": 1, "data": {}}, "blocks[0].type"),
        ({"type": "foo", "data": {}}, "blocks[0].type"),
        ({"type": "paragraph"}, "blocks[0].data"),
        ({"type": "paragraph", "data": ["text"]}, "blocks[0].data"),
        ({"type": "delimiter", "data": None}, "blocks[0].data"),
        ({"type": "delimiter", "data": {}, "tunes": []}, "blocks[0].tunes"),
        ({"type": "delimiter", "data": {}, "id": 7}, "blocks[0].id"),
        ({"type": "delimiter", "data": {}, "id": "x" * 65}, "blocks[0].id"),
        ({"type": "delimiter", "data": {}, "html": ""}, "blocks[0].html"),
    ],
)
def test_block_shape_errors(value, location):
    assert list(errors_for({"blocks": [value]})) == [location]


def test_blocks_are_joined_with_newlines():
    assert render(block("header", text="T", level=2), block("delimiter"), block("paragraph", text="p")) == (
        "<h2>T</h2>\n<hr>\n<p>p</p>"
    )


def test_plain_text():
    document = parse_document(
        {
            "blocks": [
                block("header", text="Title &amp; <i>more</i>", level=2),
                block("paragraph", text="one<br>two <script>evil()</script>"),
                block("list", items=[item("a", [item("b")]), item("c")]),
                block("checklist", items=[{"text": "todo", "checked": False}]),
                block("quote", text="q", caption="who"),
                block("code", code="x < 1"),
                block("delimiter"),
                block("image", file={"url": IMAGE_URL}, caption="cat"),
                block("table", content=[["h1", "h2"], ["a", "b"]]),
                embed(caption="video"),
                block("warning", title="W", message="msg"),
            ]
        }
    )

    assert plain_text(document) == (
        "Title & more\none\ntwo \na\nb\nc\ntodo\nq\nwho\nx < 1\ncat\nh1\th2\na\tb\nvideo\nW\nmsg"
    )


def test_each_string_with_markup_is_sanitized_once_and_plain_strings_never(sanitizer):
    value = {
        "blocks": [
            block("paragraph", text="<b>one</b>"),
            block("paragraph", text="plain"),
            table(2, 2, "&amp;"),
            block("list", items=[item("<i>two</i>", [item("three")])]),
            block("warning", title="<s>four</s>", message="five"),
            block("code", code="<b>not html</b>"),
        ]
    }

    document = parse_document(value)
    render_html(document)
    plain_text(document)

    assert sorted(sanitizer.calls) == sorted(["<b>one</b>", *["&amp;"] * 4, "<i>two</i>", "<s>four</s>"])


def test_a_clean_document_is_returned_unchanged():
    link = f'<a href="https://example.com/?a=1&amp;b=2" rel="{LINK_REL}">docs</a>'
    value = {
        "time": 1700000000000,
        "blocks": [
            {"id": "p1", "type": "paragraph", "data": {"text": f"Hi <b>there</b> &amp; {link}&nbsp;!<br>Bye"}},
            block("header", text="<i>Title</i> &lt;tag&gt;", level=2),
            block("list", style="ordered", meta={"start": 2}, items=[item("<mark>a</mark>", [item("<code>b</code>")])]),
            block("checklist", items=[{"text": "<s>done</s>", "checked": True}]),
            block("quote", text="<u>q</u>", caption="who", alignment="left"),
            block("code", code="<script>alert(1)</script>"),
            block("image", file={"url": IMAGE_URL}, caption="A <b>cat</b>", withBorder=True),
            block("table", withHeadings=True, content=[["<b>h</b>", "x &gt; y"], ["1", "2"]]),
            embed(caption="A <i>song</i>"),
            block("warning", title="<b>Careful</b>", message="Hot"),
        ],
        "version": "2.28.2",
    }

    assert parse_document(value) == value
    assert parse_document(json.dumps(value)) == value


def test_parse_document_returns_a_document():
    assert isinstance(parse_document({"blocks": [block("paragraph", text="Hi")]}), Document)
    assert isinstance(parse_document(None), Document)


def test_documents_not_from_parse_document_are_sanitized_when_rendered():
    document = {
        "blocks": [
            block("paragraph", text="<img src=x onerror=alert(1)>Hi <b onclick=alert(2)>there</b>"),
            block("warning", title="<i>T</i>", message="<script>alert(3)</script>m"),
            block("table", content=[['<a href="javascript:alert(4)">x</a>']]),
        ]
    }
    given = copy.deepcopy(document)

    assert render_html(document) == (
        '<p>Hi <b>there</b></p>\n<aside class="warning"><strong>T</strong><p>m</p></aside>\n'
        f'<table><tbody><tr><td><a rel="{LINK_REL}">x</a></td></tr></tbody></table>'
    )
    assert plain_text(document) == "Hi there\nT\nm\nx"
    assert document == given
