"""posts/content/errors.py: how problems are collected and summarized."""

from __future__ import annotations

import pytest

from posts.content import ContentError, parse_document
from tests.posts.content.helpers import block, block_errors

VALID_TYPES = "checklist, code, delimiter, embed, header, image, list, paragraph, quote, table, warning"


def test_error_messages():
    errors = block_errors(
        block("paragraph", text="ok"),
        block("header", text="t", level=7),
        {"type": "foo", "data": {}},
        block("paragraph"),
    )

    assert errors == {
        "blocks[1].data.level": ["Must be an integer from 1 to 6."],
        "blocks[2].type": [f"Unknown block type 'foo'. Valid types: {VALID_TYPES}."],
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


def test_an_unknown_block_type_lists_the_valid_ones():
    (message,) = block_errors({"type": "Paragraph", "data": {}})["blocks[0].type"]

    assert message == f"Unknown block type 'Paragraph'. Valid types: {VALID_TYPES}."
