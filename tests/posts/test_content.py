"""Editor.js validation and rendering (posts.content): pure functions, no database, no Django."""

from __future__ import annotations

import copy
import html
import json
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from posts import content
from posts.content import ContentError, Document, parse_document, plain_text, render_html

LINK_REL = "noopener noreferrer nofollow"
SAFE_SCHEMES = {"http", "https", "mailto"}
IMAGE_URL = "https://cdn.example.com/cat.png"
YOUTUBE_EMBED = "https://www.youtube.com/embed/dQw4w9WgXcQ"
YOUTUBE_SOURCE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"

# Every tag the renderer may emit, with the attributes it may carry.
EMITTED_ATTRIBUTES: dict[str, set[str]] = {
    **{tag: set() for tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "footer", "pre", "hr")},
    **{tag: set() for tag in ("figcaption", "table", "thead", "tbody", "tr", "th", "td", "strong")},
    **{tag: set() for tag in ("b", "i", "u", "s", "mark", "code", "br")},
    "a": {"href", "rel"},
    "ul": {"class"},
    "ol": {"start", "type"},
    "li": {"data-checked"},
    "figure": {"class"},
    "aside": {"class"},
    "img": {"src", "alt"},
    "iframe": {"src", "width", "height", "frameborder", "allowfullscreen", "loading", "sandbox"},
}


def block(block_type: str, **data: Any) -> dict[str, Any]:
    return {"type": block_type, "data": data}


def item(content: str, children: list[Any] | None = None, **meta: Any) -> dict[str, Any]:
    return {"content": content, "meta": meta, "items": children or []}


def embed(**overrides: Any) -> dict[str, Any]:
    data = {"service": "youtube", "source": YOUTUBE_SOURCE, "embed": YOUTUBE_EMBED, **overrides}
    return block("embed", **{key: value for key, value in data.items() if value is not None})


def render(*blocks: dict[str, Any]) -> str:
    return render_html(parse_document({"blocks": list(blocks)}))


def errors_for(value: Any, **limits: int) -> dict[str, list[str]]:
    with pytest.raises(ContentError) as caught:
        parse_document(value, **limits)
    return caught.value.errors


def block_errors(*blocks: dict[str, Any]) -> dict[str, list[str]]:
    return errors_for({"blocks": list(blocks)})


def nested_list(depth: int) -> list[dict[str, Any]]:
    items = [item("leaf")]
    for level in range(depth - 1):
        items = [item(f"level {depth - 1 - level}", items)]
    return items


# --- Auditing rendered HTML ------------------------------------------------------------------------------


def has_safe_scheme(url: str) -> bool:
    # Browsers ignore control characters and whitespace inside a scheme, so compare without them.
    squeezed = re.sub(r"[\x00-\x20\x7f]", "", url).lower()
    scheme = re.match(r"([a-z][a-z0-9+.\-]*):", squeezed)
    return scheme is None or scheme.group(1) in SAFE_SCHEMES


class HtmlAudit(HTMLParser):
    """Collects every tag, attribute or URL in the output that the renderer must never emit."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        allowed = EMITTED_ATTRIBUTES.get(tag)
        if allowed is None:
            self.problems.append(f"unexpected tag <{tag}>")
            return
        for name, value in attrs:
            if name.startswith("on") or name == "style" or name not in allowed:
                self.problems.append(f"unexpected attribute {name}= on <{tag}>")
            if name in {"href", "src"} and not has_safe_scheme(value or ""):
                self.problems.append(f"unsafe URL {value!r} in <{tag} {name}>")
        if tag == "a" and dict(attrs).get("rel") != LINK_REL:
            self.problems.append(f"link without rel={LINK_REL!r}: {attrs}")
        if tag == "img" and not (dict(attrs).get("src") or "").lower().startswith(("https://", "http://")):
            self.problems.append(f"image source is not http(s): {attrs}")
        if tag == "iframe" and not (dict(attrs).get("src") or "").lower().startswith("https://"):
            self.problems.append(f"iframe source is not https: {attrs}")

    handle_startendtag = handle_starttag

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"comment {data!r}")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"declaration {decl!r}")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction {data!r}")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"declaration {data!r}")


def assert_safe_html(output: str) -> None:
    lowered = output.lower()
    assert "<script" not in lowered
    assert "<style" not in lowered
    audit = HtmlAudit()
    audit.feed(output)
    audit.close()
    assert audit.problems == [], output


# --- Documents ----------------------------------------------------------------------------------------------


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


def test_error_messages():
    errors = block_errors(
        block("paragraph", text="ok"),
        block("header", text="t", level=7),
        {"type": "foo", "data": {}},
        block("paragraph"),
    )

    assert errors == {
        "blocks[1].data.level": ["Must be an integer from 1 to 6."],
        "blocks[2].type": ["Unknown block type 'foo'."],
        "blocks[3].data.text": ["This field is required."],
    }


def test_all_errors_are_collected_up_to_a_cap():
    errors = block_errors(*[block("header", text=1, level=0)] * 100)

    assert len(errors["blocks[0].data.text"]) == 1
    assert "blocks[0].data.level" in errors
    assert sum(len(messages) for messages in errors.values()) == 51
    assert errors["document"] == ["Too many errors; only the first 50 are reported."]


def test_str_of_content_error_is_a_one_line_summary():
    with pytest.raises(ContentError) as caught:
        parse_document({"blocks": [block("header", text="t", level=9), block("paragraph")]})

    assert str(caught.value) == "Invalid content: blocks[0].data.level: Must be an integer from 1 to 6. (and 1 more)"
    assert isinstance(caught.value, ValueError)


# --- Limits ---------------------------------------------------------------------------------------------------


def test_size_limit_applies_to_the_utf8_json_encoding():
    text = json.dumps({"blocks": [block("paragraph", text="é" * 100)]}, ensure_ascii=False)
    size = len(text.encode())

    assert parse_document(text, max_bytes=size)
    assert errors_for(text, max_bytes=size - 1) == {
        "document": [f"Content exceeds the maximum size of {(size - 1) / 1024:.1f} KiB."]
    }


@pytest.mark.parametrize("as_string", [True, False])
def test_default_size_limit_is_512_kib(as_string):
    value = {"blocks": [block("paragraph", text="x" * 90_000)] * 6}

    errors = errors_for(json.dumps(value) if as_string else value)

    assert errors == {"document": ["Content exceeds the maximum size of 512 KiB."]}


def test_block_count_limit():
    value = {"blocks": [block("delimiter")] * 3}

    assert len(parse_document(value, max_blocks=3)["blocks"]) == 3
    assert errors_for(value, max_blocks=2) == {"blocks": ["Too many blocks (3); the maximum is 2."]}
    assert errors_for({"blocks": [block("delimiter")] * 501}) == {
        "blocks": ["Too many blocks (501); the maximum is 500."]
    }


def test_string_length_limit_applies_everywhere():
    value = {
        "blocks": [
            block("paragraph", text="x" * 11),
            {"type": "delimiter", "data": {}, "tunes": {"note": {"text": "y" * 11}}},
            block("code", code="z" * 10),
        ]
    }

    assert errors_for(value, max_string_length=10) == {
        "blocks[0].data.text": ["Must be at most 10 characters long."],
        "blocks[1].tunes.note.text": ["Must be at most 10 characters long."],
    }


def test_default_string_length_limit():
    assert list(block_errors(block("code", code="x" * 100_001))) == ["blocks[0].data.code"]
    assert parse_document({"blocks": [block("code", code="x" * 100_000)]})


@pytest.mark.parametrize("text", ["nul\x00byte", "lone \ud800 surrogate"])
def test_unstorable_characters_are_rejected(text):
    assert block_errors(block("paragraph", text=text)) == {
        "blocks[0].data.text": ["Must not contain NUL characters or unpaired surrogates."]
    }


def test_deeply_nested_tunes_are_rejected():
    tunes: dict[str, Any] = {}
    for _ in range(80):
        tunes = {"x": tunes}

    errors = errors_for({"blocks": [{"type": "delimiter", "data": {}, "tunes": tunes}]})

    assert list(errors.values()) == [["Content is nested too deeply."]]


@pytest.mark.parametrize("depth", [65, 500, 900])
@pytest.mark.parametrize("as_string", [True, False])
def test_tunes_nested_deeper_than_the_limit_are_an_error_at_any_depth(depth, as_string):
    tunes: dict[str, Any] = {}
    for _ in range(depth):
        tunes = {"x": tunes}
    value = {"blocks": [{"type": "delimiter", "data": {}, "tunes": tunes}]}

    errors = errors_for(json.dumps(value) if as_string else value)

    assert list(errors.values()) == [["Content is nested too deeply."]]


def test_pathologically_nested_json_is_a_document_error():
    assert errors_for("[" * 100_000 + "]" * 100_000) == {"document": ["Content is nested too deeply."]}


# --- Work limits ----------------------------------------------------------------------------------------------

MARKUP = "('<', '&' or no-break spaces)"


def table(rows: int, columns: int, cell: str = "c") -> dict[str, Any]:
    return block("table", content=[[cell] * columns for _ in range(rows)])


def test_table_cell_limit_counts_the_cells_of_every_table():
    value = {"blocks": [table(2, 3), table(1, 4)]}

    assert parse_document(value, max_table_cells=10)
    assert errors_for(value, max_table_cells=9) == {"document": ["The document has 10 table cells; the maximum is 9."]}


def test_list_item_limit_counts_nested_string_and_checklist_items():
    value = {
        "blocks": [
            block("list", items=[item("a", [item("b", [item("c")])]), item("d")]),
            block("list", items=["e", "f"]),
            block("checklist", items=[{"text": "g", "checked": False}]),
        ]
    }

    assert parse_document(value, max_list_items=7)
    assert errors_for(value, max_list_items=6) == {
        "document": ["The document has 7 list items (nested and checklist items included); the maximum is 6."]
    }


def test_text_length_limit_counts_the_inline_text_fields_not_code():
    value = {
        "blocks": [
            block("paragraph", text="x" * 6),
            block("warning", title="ab", message="cd"),
            block("code", code="y" * 100),
        ]
    }

    assert parse_document(value, max_text_length=10)
    assert errors_for(value, max_text_length=9) == {
        "document": ["The document has 10 characters of text; the maximum is 9."]
    }


def test_markup_limit_counts_tags_character_references_and_no_break_spaces_in_text():
    text = "<b>a</b> &amp; b\xa0c"  # 4 markup characters
    value = {"blocks": [block("paragraph", text=text), table(1, 1, text), block("code", code="<b>&amp;</b>")]}

    assert parse_document(value, max_markup=8)
    assert errors_for(value, max_markup=7) == {
        "document": [f"The document has 8 markup characters {MARKUP} in its text; the maximum is 7."]
    }


def test_value_limit_counts_every_value_tunes_and_ignored_fields_included():
    value = {"blocks": [{"type": "paragraph", "data": {"text": "a", "ignored": [1, 2]}, "tunes": {"t": [None, True]}}]}

    assert parse_document(value, max_values=13)
    assert errors_for(value, max_values=12) == {"document": ["The document has more than 12 JSON values."]}


def test_default_value_limit():
    def with_tune_values(count: int) -> dict[str, Any]:
        # The document, its blocks, the block, its type, data and tunes, and the tune's array: 7 values.
        return {"blocks": [{"type": "delimiter", "data": {}, "tunes": {"x": [0] * (count - 7)}}]}

    assert parse_document(with_tune_values(20_000))
    assert errors_for(with_tune_values(20_001)) == {"document": ["The document has more than 20000 JSON values."]}


def test_field_markup_limit_applies_to_each_text_field():
    value = {
        "blocks": [
            block("paragraph", text="<br>" * 3),
            block("list", items=["ok", "<br>&" * 2]),
            table(1, 2, "&\xa0<br>&"),
            block("code", code="<br>" * 10),
        ]
    }

    assert parse_document(value, max_field_markup=4)
    assert errors_for(value, max_field_markup=3) == {
        "blocks[1].data.items[1]": [f"Must have at most 3 markup characters {MARKUP}; it has 4."],
        "blocks[2].data.content[0][0]": [f"Must have at most 3 markup characters {MARKUP}; it has 4."],
        "blocks[2].data.content[0][1]": [f"Must have at most 3 markup characters {MARKUP}; it has 4."],
    }


@pytest.mark.parametrize(
    ("at_limit", "over_limit", "message"),
    [
        ([table(300, 10)], [table(300, 10), table(1, 1)], "The document has 3001 table cells; the maximum is 3000."),
        (
            [block("list", items=["i"] * 500)],
            [block("list", items=["i"] * 500), block("checklist", items=[{"text": "i"}])],
            "The document has 501 list items (nested and checklist items included); the maximum is 500.",
        ),
        (
            [block("paragraph", text="x" * 100_000)] * 2,
            [block("paragraph", text="x" * 100_000)] * 2 + [block("paragraph", text="x")],
            "The document has 200001 characters of text; the maximum is 200000.",
        ),
        (
            [block("paragraph", text="&" * 500)] * 4,
            [block("paragraph", text="&" * 500)] * 4 + [block("paragraph", text="&")],
            f"The document has 2001 markup characters {MARKUP} in its text; the maximum is 2000.",
        ),
    ],
    ids=["table cells", "list items", "text", "markup"],
)
def test_default_work_limits(at_limit, over_limit, message):
    assert parse_document({"blocks": at_limit})
    assert errors_for({"blocks": over_limit}) == {"document": [message]}


def test_default_field_markup_limit():
    assert parse_document({"blocks": [block("paragraph", text="&" * 500)]})
    assert block_errors(block("paragraph", text="&" * 501)) == {
        "blocks[0].data.text": [f"Must have at most 500 markup characters {MARKUP}; it has 501."]
    }


@pytest.mark.parametrize(
    ("limit", "value", "location"),
    [
        ("max_bytes", {"blocks": [block("paragraph", text="x" * 11 * 1024)]}, "document"),
        ("max_blocks", {"blocks": [block("delimiter")] * 11}, "blocks"),
        ("max_string_length", {"blocks": [block("code", code="x" * 11)]}, "blocks[0].data.code"),
        ("max_values", {"blocks": [block("list", items=["a"] * 11)]}, "document"),
        ("max_table_cells", {"blocks": [table(1, 11)]}, "document"),
        ("max_list_items", {"blocks": [block("list", items=["a"] * 11)]}, "document"),
        ("max_text_length", {"blocks": [block("paragraph", text="a" * 11)]}, "document"),
        ("max_markup", {"blocks": [block("paragraph", text="&" * 11)]}, "document"),
        ("max_field_markup", {"blocks": [block("paragraph", text="&" * 11)]}, "blocks[0].data.text"),
    ],
)
def test_messages_name_each_limit_as_the_caller_asks(limit, value, location):
    errors = errors_for(value, **{limit: 10 * 1024 if limit == "max_bytes" else 10}, limit_names={limit: "LIMIT"})

    assert list(errors) == [location]
    (message,) = errors[location]
    assert re.search(r" 10( KiB)? \(LIMIT\)", message), message


class SanitizerSpy:
    """Stands in for posts.content's nh3 cleaner and records what it is asked to clean."""

    def __init__(self) -> None:
        self.cleaner = content.sanitizer._CLEANER
        self.calls: list[str] = []

    def clean(self, text: str) -> str:
        self.calls.append(text)
        return self.cleaner.clean(text)


@pytest.fixture
def sanitizer(monkeypatch) -> SanitizerSpy:
    spy = SanitizerSpy()
    monkeypatch.setattr(content.sanitizer, "_CLEANER", spy)
    return spy


def test_a_document_over_a_count_limit_is_refused_before_its_strings_are_looked_at(sanitizer):
    value = {
        "blocks": [
            table(3, 2, "<b>x</b>"),
            block("paragraph", text="nul\x00"),
            {"type": "nope", "data": {}},
            block("list", items=["<i>y</i>"] * 3),
        ]
    }

    assert errors_for(value, max_table_cells=5, max_list_items=2) == {
        "document": [
            "The document has 6 table cells; the maximum is 5.",
            "The document has 3 list items (nested and checklist items included); the maximum is 2.",
        ]
    }
    assert sanitizer.calls == []


def test_a_document_with_too_many_values_is_refused_before_its_blocks_are_validated(sanitizer):
    value = {"blocks": [block("paragraph", text="<b>x</b>"), {"type": "nope", "data": {}, "tunes": {"x": [0] * 20}}]}

    assert errors_for(value, max_values=20) == {"document": ["The document has more than 20 JSON values."]}
    assert sanitizer.calls == []


@pytest.mark.parametrize("limit", [{"max_text_length": 10}, {"max_markup": 3}, {"max_field_markup": 1}])
def test_a_document_over_a_text_limit_is_refused_before_anything_is_sanitized(sanitizer, limit):
    with pytest.raises(ContentError):
        parse_document(
            {"blocks": [block("paragraph", text="<b>x</b>"), block("paragraph", text="<i>y</i> z")]}, **limit
        )

    assert sanitizer.calls == []


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


# --- Block types: valid data ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (block("paragraph", text="Hello, world"), "<p>Hello, world</p>"),
        (
            block("paragraph", text="<b>b</b> <i>i</i> <u>u</u> <s>s</s> <mark>m</mark> <code>c</code><br>x"),
            "<p><b>b</b> <i>i</i> <u>u</u> <s>s</s> <mark>m</mark> <code>c</code><br>x</p>",
        ),
        (block("paragraph", text="<strong>s</strong> <em>e</em> <span>x</span>"), "<p>s e x</p>"),
        (block("paragraph", text="a & b < c"), "<p>a &amp; b &lt; c</p>"),
        (block("paragraph", text=""), "<p></p>"),
        (block("header", text="Title", level=1), "<h1>Title</h1>"),
        (block("header", text="<i>Sub</i>", level=6), "<h6><i>Sub</i></h6>"),
        (block("list", items=["a", "<b>b</b>"]), "<ul><li>a</li><li><b>b</b></li></ul>"),
        (block("list", style="ordered", items=["a"]), "<ol><li>a</li></ol>"),
        (block("list", style="unordered", items=[]), "<ul></ul>"),
        (
            block("list", style="unordered", items=[item("a", [item("b", [item("c")])]), item("d")]),
            "<ul><li>a<ul><li>b<ul><li>c</li></ul></li></ul></li><li>d</li></ul>",
        ),
        (
            block(
                "list", style="ordered", meta={"start": 3, "counterType": "lower-roman"}, items=[item("a", [item("b")])]
            ),
            '<ol start="3" type="i"><li>a<ol><li>b</li></ol></li></ol>',
        ),
        (block("list", style="ordered", meta={"counterType": "custom"}, items=[item("a")]), "<ol><li>a</li></ol>"),
        (
            block(
                "list",
                style="checklist",
                items=[item("done", [item("sub")], checked=True), item("todo", checked=False)],
            ),
            '<ul class="checklist"><li data-checked="true">done<ul class="checklist">'
            '<li data-checked="false">sub</li></ul></li><li data-checked="false">todo</li></ul>',
        ),
        (
            block("checklist", items=[{"text": "a", "checked": True}, {"text": "<i>b</i>", "checked": False}]),
            '<ul class="checklist"><li data-checked="true">a</li><li data-checked="false"><i>b</i></li></ul>',
        ),
        (
            block("quote", text="To be", caption="<b>Hamlet</b>", alignment="center"),
            "<blockquote><p>To be</p><footer><b>Hamlet</b></footer></blockquote>",
        ),
        (block("quote", text="Anon", caption=""), "<blockquote><p>Anon</p></blockquote>"),
        (
            block("code", code='if a < b && c:\n    print("<hi>")'),
            "<pre><code>if a &lt; b &amp;&amp; c:\n    print(&quot;&lt;hi&gt;&quot;)</code></pre>",
        ),
        (block("delimiter"), "<hr>"),
        (
            block("image", file={"url": "https://cdn.example.com/a.png?w=1&h=2"}, caption="A <b>cat</b> & co"),
            '<figure><img src="https://cdn.example.com/a.png?w=1&amp;h=2" alt="A cat &amp; co">'
            "<figcaption>A <b>cat</b> &amp; co</figcaption></figure>",
        ),
        (
            block("image", url="http://example.com/b.png"),
            '<figure><img src="http://example.com/b.png" alt=""></figure>',
        ),
        (
            block("image", file={"url": IMAGE_URL}, caption="", withBorder=True, withBackground=True, stretched=True),
            '<figure class="image-with-border image-with-background image-stretched">'
            f'<img src="{IMAGE_URL}" alt=""></figure>',
        ),
        (
            block("image", file={"url": IMAGE_URL}, withBorder=False, stretched=True),
            f'<figure class="image-stretched"><img src="{IMAGE_URL}" alt=""></figure>',
        ),
        (
            block("table", withHeadings=True, content=[["Name", "Qty"], ["<b>Tea</b>", "2"]]),
            "<table><thead><tr><th>Name</th><th>Qty</th></tr></thead>"
            "<tbody><tr><td><b>Tea</b></td><td>2</td></tr></tbody></table>",
        ),
        (block("table", content=[["a", "b"]]), "<table><tbody><tr><td>a</td><td>b</td></tr></tbody></table>"),
        (block("table", withHeadings=True, content=[["h"]]), "<table><thead><tr><th>h</th></tr></thead></table>"),
        (block("table", content=[]), "<table></table>"),
        (
            embed(width=580, height=320, caption="A <i>song</i>"),
            f'<figure class="embed embed-youtube"><iframe src="{YOUTUBE_EMBED}" width="580" height="320"'
            ' frameborder="0" allowfullscreen loading="lazy" sandbox="allow-scripts allow-same-origin allow-popups">'
            "</iframe><figcaption>A <i>song</i></figcaption></figure>",
        ),
        (
            block("warning", title="Careful <b>now</b> & then", message="Hot <i>stuff</i>"),
            '<aside class="warning"><strong>Careful now &amp; then</strong><p>Hot <i>stuff</i></p></aside>',
        ),
        (block("warning", title="", message=""), '<aside class="warning"></aside>'),
    ],
)
def test_valid_block_renders(data, expected):
    document = parse_document({"blocks": [data]})

    assert render_html(document) == expected
    assert parse_document(document) == document


EMBED_EXAMPLES = {
    "youtube": "https://www.youtube.com/embed/dQw4w9WgXcQ?start=10",
    "vimeo": "https://player.vimeo.com/video/76979871?title=0&byline=0",
    "twitter": "https://platform.twitter.com/embed/Tweet.html?id=20",
    "instagram": "https://www.instagram.com/p/B9xYz/embed",
    "codepen": "https://codepen.io/team/embed/abcdef?height=300&theme-id=0&default-tab=css,result&embed-version=2",
    "gfycat": "https://gfycat.com/ifr/SomeGif",
    "imgur": "https://imgur.com/a1b2c3/embed",
    "twitch-video": "https://player.twitch.tv/?video=v123456",
    "miro": "https://miro.com/app/live-embed/uXjVOabc=/",
    "github": "https://gist.github.com/octocat/6cad326836d38bd3a7ae.pibb",
}


@pytest.mark.parametrize(("service", "url"), EMBED_EXAMPLES.items())
def test_every_embed_service_renders_an_iframe(service, url):
    output = render(embed(service=service, source="https://example.com/original", embed=url))

    assert output.startswith(f'<figure class="embed embed-{service}"><iframe src="')
    assert 'sandbox="allow-scripts allow-same-origin allow-popups"' in output
    assert_safe_html(output)


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


# --- Block types: invalid data --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "location"),
    [
        (block("paragraph"), "blocks[0].data.text"),
        (block("paragraph", text=5), "blocks[0].data.text"),
        (block("paragraph", text=None), "blocks[0].data.text"),
        (block("header", level=2), "blocks[0].data.text"),
        (block("header", text="t"), "blocks[0].data.level"),
        (block("header", text="t", level=0), "blocks[0].data.level"),
        (block("header", text="t", level=7), "blocks[0].data.level"),
        (block("header", text="t", level=True), "blocks[0].data.level"),
        (block("header", text="t", level="2"), "blocks[0].data.level"),
        (block("header", text="t", level=2.0), "blocks[0].data.level"),
        (block("list"), "blocks[0].data.items"),
        (block("list", items="a"), "blocks[0].data.items"),
        (block("list", style="bulleted", items=[]), "blocks[0].data.style"),
        (block("list", style=None, items=[]), "blocks[0].data.style"),
        (block("list", items=["a", 2]), "blocks[0].data.items[1]"),
        (block("list", items=[item("a"), "b"]), "blocks[0].data.items[1]"),
        (block("list", items=[item("a"), {"content": 2, "items": []}]), "blocks[0].data.items[1].content"),
        (block("list", items=[{"items": []}]), "blocks[0].data.items[0].content"),
        (block("list", items=[{"content": "a", "items": "b"}]), "blocks[0].data.items[0].items"),
        (block("list", items=[item("a", ["b"])]), "blocks[0].data.items[0].items[0]"),
        (
            block("list", items=[item("a", [item("b", [{"content": None}])])]),
            "blocks[0].data.items[0].items[0].items[0].content",
        ),
        (block("list", items=[{"content": "a", "meta": []}]), "blocks[0].data.items[0].meta"),
        (block("list", style="checklist", items=[item("a", checked="yes")]), "blocks[0].data.items[0].meta.checked"),
        (block("list", meta=[], items=[]), "blocks[0].data.meta"),
        (block("list", meta={"start": "1"}, items=[]), "blocks[0].data.meta.start"),
        (block("list", meta={"counterType": 1}, items=[]), "blocks[0].data.meta.counterType"),
        (block("list", items=nested_list(11)), "blocks[0].data" + ".items[0]" * 10 + ".items"),
        (block("checklist"), "blocks[0].data.items"),
        (block("checklist", items={}), "blocks[0].data.items"),
        (block("checklist", items=["a"]), "blocks[0].data.items[0]"),
        (block("checklist", items=[{"checked": True}]), "blocks[0].data.items[0].text"),
        (block("checklist", items=[{"text": "a", "checked": "no"}]), "blocks[0].data.items[0].checked"),
        (block("quote", caption="c"), "blocks[0].data.text"),
        (block("quote", text="q", caption=1), "blocks[0].data.caption"),
        (block("quote", text="q", alignment="right"), "blocks[0].data.alignment"),
        (block("code"), "blocks[0].data.code"),
        (block("code", code=["x"]), "blocks[0].data.code"),
        (block("image"), "blocks[0].data.file"),
        (block("image", file=IMAGE_URL), "blocks[0].data.file"),
        (block("image", file={}), "blocks[0].data.file.url"),
        (block("image", file={"url": 1}), "blocks[0].data.file.url"),
        (block("image", file={"url": IMAGE_URL}, url=IMAGE_URL), "blocks[0].data"),
        (block("image", file={"url": IMAGE_URL}, caption=1), "blocks[0].data.caption"),
        (block("image", file={"url": IMAGE_URL}, withBorder="yes"), "blocks[0].data.withBorder"),
        (block("image", file={"url": IMAGE_URL}, withBackground=1), "blocks[0].data.withBackground"),
        (block("image", file={"url": IMAGE_URL}, stretched=None), "blocks[0].data.stretched"),
        (block("table"), "blocks[0].data.content"),
        (block("table", content="a"), "blocks[0].data.content"),
        (block("table", content=["a"]), "blocks[0].data.content[0]"),
        (block("table", content=[["a"], ["b", 1]]), "blocks[0].data.content[1][1]"),
        (block("table", content=[["a"]] * 501), "blocks[0].data.content"),
        (block("table", content=[["a"] * 51]), "blocks[0].data.content[0]"),
        (block("table", withHeadings="true", content=[]), "blocks[0].data.withHeadings"),
        (embed(service=None), "blocks[0].data.service"),
        (embed(service="myspace"), "blocks[0].data.service"),
        (embed(service="YouTube"), "blocks[0].data.service"),
        (embed(source=None), "blocks[0].data.source"),
        (embed(source="javascript:alert(1)"), "blocks[0].data.source"),
        (embed(embed=None), "blocks[0].data.embed"),
        (embed(embed="http://www.youtube.com/embed/x"), "blocks[0].data.embed"),
        (embed(embed="https://player.vimeo.com/video/1"), "blocks[0].data.embed"),
        (embed(embed="https://www.youtube.com.evil.example/embed/x"), "blocks[0].data.embed"),
        (embed(embed="https://evil.example/?u=https://www.youtube.com/"), "blocks[0].data.embed"),
        (embed(embed="https://www.youtube.com@evil.example/"), "blocks[0].data.embed"),
        (embed(embed="https://evil.example\\@www.youtube.com/"), "blocks[0].data.embed"),
        (embed(embed="https://evil.example\\.www.youtube.com/"), "blocks[0].data.embed"),
        (embed(embed="//www.youtube.com/embed/x"), "blocks[0].data.embed"),
        (embed(embed="javascript://www.youtube.com/%0aalert(1)"), "blocks[0].data.embed"),
        (
            embed(service="github", embed='data:text/html,<script src="https://gist.github.com/a/b.js"></script>'),
            "blocks[0].data.embed",
        ),
        (embed(width=True), "blocks[0].data.width"),
        (embed(width=0), "blocks[0].data.width"),
        (embed(height="320"), "blocks[0].data.height"),
        (embed(height=10_001), "blocks[0].data.height"),
        (embed(caption=["c"]), "blocks[0].data.caption"),
        (block("warning", title="t"), "blocks[0].data.message"),
        (block("warning", message="m"), "blocks[0].data.title"),
        (block("warning", title=1, message="m"), "blocks[0].data.title"),
    ],
)
def test_invalid_block_data_is_reported_at_its_path(data, location):
    assert list(block_errors(data)) == [location]


def test_list_nesting_depth_limit():
    assert parse_document({"blocks": [block("list", items=nested_list(10))]})
    errors = block_errors(block("list", items=nested_list(11)))

    assert list(errors.values()) == [["Lists may be nested at most 10 levels deep."]]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:image/png;base64,iVBORw0KGgo=",
        "vbscript:msgbox(1)",
        "ftp://example.com/a.png",
        "/media/a.png",
        "a.png",
        "//evil.example/a.png",
        "https://",
        "https://user:secret@example.com/a.png",
        "https://example.com/a b.png",
        "https://[::1/a.png",
    ],
)
def test_unsafe_image_urls_are_rejected(url):
    assert block_errors(block("image", file={"url": url}), block("image", url=url)) == {
        "blocks[0].data.file.url": ["Must be an http or https URL."],
        "blocks[1].data.url": ["Must be an http or https URL."],
    }


def test_embed_host_error_names_the_allowed_hosts():
    errors = block_errors(embed(embed="https://evil.example/embed"))

    assert errors == {
        "blocks[0].data.embed": ["Must be an https URL on www.youtube-nocookie.com, www.youtube.com, youtube.com."]
    }


def test_unknown_embed_service_message():
    assert block_errors(embed(service="myspace"))["blocks[0].data.service"] == ["Unsupported embed service 'myspace'."]


# --- Sanitizing ----------------------------------------------------------------------------------------------

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<b style="background:url(javascript:alert(1))">x</b>',
    "<b onmouseover=alert(1)>x</b>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<!--<script>alert(1)//-->",
    "<object data=javascript:alert(1)></object><embed src=javascript:alert(1)>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<base href=javascript:alert(1)//>",
]

TEXT_FIELDS = {
    "paragraph.text": lambda p: block("paragraph", text=p),
    "header.text": lambda p: block("header", text=p, level=2),
    "list.items (strings)": lambda p: block("list", style="unordered", items=[p]),
    "list.items[].content": lambda p: block("list", style="ordered", items=[item(p, [item(p)])]),
    "list.items[].content (checklist)": lambda p: block("list", style="checklist", items=[item(p, checked=True)]),
    "checklist.items[].text": lambda p: block("checklist", items=[{"text": p, "checked": True}]),
    "quote.text": lambda p: block("quote", text=p),
    "quote.caption": lambda p: block("quote", text="q", caption=p),
    "image.caption": lambda p: block("image", file={"url": IMAGE_URL}, caption=p),
    "table.content (heading)": lambda p: block("table", withHeadings=True, content=[[p], [p]]),
    "embed.caption": lambda p: embed(caption=p),
    "warning.title": lambda p: block("warning", title=p, message="m"),
    "warning.message": lambda p: block("warning", title="t", message=p),
}


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_xss_payloads_never_survive_in_text_fields(field, payload):
    output = render(TEXT_FIELDS[field](payload))

    assert_safe_html(output)
    lowered = output.lower()
    for fragment in ("alert", "javascript", "data:", "onerror", "onload", "<svg", "<img src=x", "style"):
        assert fragment not in lowered, output
    assert lowered.count("<iframe") == (1 if field.startswith("embed") else 0)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_code_is_escaped_not_interpreted(payload):
    output = render(block("code", code=payload))

    assert output == f"<pre><code>{html.escape(payload)}</code></pre>"
    assert_safe_html(output)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '<a href="https://example.com/a?b=1&c=2">x</a>',
            f'<a href="https://example.com/a?b=1&amp;c=2" rel="{LINK_REL}">x</a>',
        ),
        (
            '<a href="http://example.com" rel="opener" target="_blank">x</a>',
            f'<a href="http://example.com" rel="{LINK_REL}">x</a>',
        ),
        ('<a href="mailto:me@example.com">me</a>', f'<a href="mailto:me@example.com" rel="{LINK_REL}">me</a>'),
        ('<a href="ftp://example.com">x</a>', f'<a rel="{LINK_REL}">x</a>'),
        ('<a href="tel:+123">x</a>', f'<a rel="{LINK_REL}">x</a>'),
        ('<a title="t" class="c" id="i" lang="en">x</a>', f'<a rel="{LINK_REL}">x</a>'),
        ('<b title="t">x</b><br lang="en">', "<b>x</b><br>"),
    ],
)
def test_links_are_restricted_and_get_rel(text, expected):
    assert render(block("paragraph", text=text)) == f"<p>{expected}</p>"


def test_generated_attributes_are_escaped():
    output = render(
        embed(embed='https://www.youtube.com/embed/x"onload="alert(1)', caption="c"),
        block("image", file={"url": 'https://example.com/a.png?"onerror="alert(1)'}, caption='"><b>x</b>'),
    )

    assert 'src="https://www.youtube.com/embed/x&quot;onload=&quot;alert(1)"' in output
    assert 'src="https://example.com/a.png?&quot;onerror=&quot;alert(1)" alt="&quot;&gt;x"' in output
    assert_safe_html(output)


def test_render_rechecks_urls_of_unvalidated_documents():
    document = {
        "blocks": [
            block("image", file={"url": "javascript:alert(1)"}),
            block("image", url="data:image/svg+xml,<svg onload=alert(1)>"),
            embed(embed="https://evil.example/"),
            embed(service="nope"),
            {"type": "script", "data": {"code": "alert(1)"}},
            block("paragraph", text="kept"),
        ]
    }

    assert render_html(document) == "<p>kept</p>"


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_xss_payloads_never_survive_in_the_returned_document(field, payload):
    document = parse_document({"blocks": [TEXT_FIELDS[field](payload)]})

    for text in string_values(document):
        assert_safe_html(text)
        for fragment in ("alert", "javascript", "data:", "onerror", "onload", "<svg", "<img", "style", "<script"):
            assert fragment not in text.lower(), text


def string_values(value: Any) -> list[str]:
    """Every string value in a JSON document (not its field names)."""
    if isinstance(value, str):
        return [value]
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [text for child in children for text in string_values(child)]


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("<img src=x onerror=alert(1)>Hi", "Hi"),
        ('<b onclick="alert(1)">x</b>', "<b>x</b>"),
        ('<a href="javascript:alert(1)">x</a>', f'<a rel="{LINK_REL}">x</a>'),
        (
            '<a href="https://example.com/" target="_blank">x</a>',
            f'<a href="https://example.com/" rel="{LINK_REL}">x</a>',
        ),
        ("<script>alert(1)</script>ok", "ok"),
        ("<p>para</p><div>div</div>", "paradiv"),
        ("a < b & c > d", "a &lt; b &amp; c &gt; d"),
    ],
)
def test_inline_html_is_returned_reduced_to_the_allow_list(text, stored):
    document = parse_document({"blocks": [block("paragraph", text=text)]})

    assert document["blocks"][0]["data"]["text"] == stored
    assert render_html(document) == f"<p>{stored}</p>"


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_code_is_returned_as_given(payload):
    assert parse_document({"blocks": [block("code", code=payload)]})["blocks"][0]["data"]["code"] == payload


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


# --- Properties ---------------------------------------------------------------------------------------------------

DANGEROUS_FRAGMENTS = [
    "<script",
    "<script>",
    "</script>",
    "<style>",
    "<style",
    "style=",
    ' style="color:red"',
    "onerror=",
    " onload=alert(1)",
    " onclick=",
    "javascript:",
    "JaVaScRiPt:alert(1)",
    "java\tscript:",
    "&#106;avascript:",
    "data:text/html,",
    "vbscript:",
    "<a href=",
    '<a href="',
    "<a href='javascript:alert(1)'>",
    "<img src=x ",
    "<iframe src=",
    "<svg",
    "<b>",
    "</b>",
    "<br>",
    "<br title=x>",
    '<b lang="en" title="t" class="c">',
    "<!--",
    "-->",
    "<![CDATA[",
    '"',
    "'",
    "<",
    ">",
    "/",
    "=",
    "&",
    "&lt;",
    "&quot;",
    " ",
    "\n",
]
storable_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20)
hostile_text = st.lists(st.one_of(storable_text, st.sampled_from(DANGEROUS_FRAGMENTS)), max_size=8).map("".join)
list_styles = st.sampled_from(["ordered", "unordered", "checklist"])


def _list_items(text: st.SearchStrategy[str]) -> st.SearchStrategy[list[dict[str, Any]]]:
    leaf = st.builds(lambda content, checked: item(content, checked=checked), text, st.booleans())
    return st.recursive(
        st.lists(leaf, max_size=3),
        lambda children: st.lists(st.builds(item, text, children), min_size=1, max_size=3),
        max_leaves=6,
    )


def _blocks(text: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(
        st.builds(lambda t: block("paragraph", text=t), text),
        st.builds(lambda t, level: block("header", text=t, level=level), text, st.integers(1, 6)),
        st.builds(
            lambda items, style: block("list", style=style, items=items), st.lists(text, max_size=4), list_styles
        ),
        st.builds(lambda items, style: block("list", style=style, items=items), _list_items(text), list_styles),
        st.builds(
            lambda items: block("checklist", items=items),
            st.lists(st.fixed_dictionaries({"text": text, "checked": st.booleans()}), max_size=4),
        ),
        st.builds(lambda t, c: block("quote", text=t, caption=c, alignment="left"), text, text),
        st.builds(lambda code: block("code", code=code), text),
        st.just(block("delimiter")),
        st.builds(
            lambda caption, border: block("image", file={"url": IMAGE_URL}, caption=caption, withBorder=border),
            text,
            st.booleans(),
        ),
        st.builds(
            lambda rows, headings: block("table", withHeadings=headings, content=rows),
            st.lists(st.lists(text, max_size=3), max_size=3),
            st.booleans(),
        ),
        st.builds(lambda caption: embed(caption=caption), text),
        st.builds(lambda title, message: block("warning", title=title, message=message), text, text),
    )


@settings(max_examples=200, deadline=None)
@given(blocks=st.lists(_blocks(hostile_text), min_size=1, max_size=5))
def test_rendering_hostile_text_is_always_safe(blocks):
    """Text may still *say* "javascript:" or "onerror=" (e.g. in a code block); what matters is that no
    tag, attribute or URL outside the renderer's own vocabulary reaches the output."""
    document = parse_document({"blocks": blocks})

    assert_safe_html(render_html(document))
    assert parse_document(document) == document
    assert isinstance(plain_text(document), str)


url_text = st.one_of(
    hostile_text,
    st.builds(
        str.__add__,
        st.sampled_from(["https://", "http://", "HTTPS://", "javascript:", "//", "data:", " https://", "https:"]),
        hostile_text,
    ),
)


@settings(max_examples=200, deadline=None)
@given(url=url_text)
def test_image_urls_are_http_or_rejected(url):
    try:
        document = parse_document({"blocks": [block("image", file={"url": url})]})
    except ContentError as exc:
        assert exc.errors == {"blocks[0].data.file.url": ["Must be an http or https URL."]}
        return
    output = render_html(document)

    assert_safe_html(output)
    assert output.lower().startswith(('<figure><img src="http://', '<figure><img src="https://'))


@settings(max_examples=200, deadline=None)
@given(url=url_text.map(lambda text: text.replace("https://", "https://www.youtube.com", 1)))
def test_embed_urls_stay_on_the_service_hosts(url):
    try:
        document = parse_document({"blocks": [embed(embed=url)]})
    except ContentError as exc:
        assert list(exc.errors) == ["blocks[0].data.embed"]
        return

    assert urlsplit(url).hostname in {"www.youtube.com", "youtube.com", "www.youtube-nocookie.com"}
    assert not re.search(r"[\s\\@]", url)
    assert_safe_html(render_html(document))
