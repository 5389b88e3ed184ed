"""posts/content/limits.py (and the size limit applied when decoding): what a document may cost."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from posts.content import ContentError, parse_document
from tests.posts.content.helpers import block, block_errors, errors_for, item, table


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
