"""The table block."""

from __future__ import annotations

from typing import Any

from posts.content.blocks.base import Block, Clean, lines
from posts.content.blocks.text import INLINE_HTML
from posts.content.fields import Fields, compact
from posts.content.limits import tally
from posts.content.sanitizer import text_of_clean

_MAX_TABLE_ROWS = 500
_MAX_TABLE_COLUMNS = 50


class TableBlock(Block):
    """{"withHeadings"?, "content"}: @editorjs/table, rows of inline-HTML cells; rendered as <table>, the first
    row as its <thead> with headings."""

    data_schema = {
        "type": "object",
        "required": ["content"],
        "properties": {
            "withHeadings": {"type": "boolean", "description": "The first row is the heading row."},
            "content": {
                "type": "array",
                "maxItems": _MAX_TABLE_ROWS,
                "items": {"type": "array", "maxItems": _MAX_TABLE_COLUMNS, "items": INLINE_HTML},
                "description": "Rows of cells.",
            },
        },
    }

    def validate(self, data: Fields) -> dict[str, Any]:
        with_headings = data.boolean("withHeadings", None)
        rows = data.array("content", max_items=_MAX_TABLE_ROWS)
        if rows is None:
            return {}
        for row_index, row in enumerate(rows):
            row_at = f"{data.path('content')}[{row_index}]"
            if not isinstance(row, list):
                data.errors.add(row_at, "Must be an array of cells.")
            elif len(row) > _MAX_TABLE_COLUMNS:
                data.errors.add(row_at, f"Must have at most {_MAX_TABLE_COLUMNS} cells.")
            else:
                for cell_index, cell in enumerate(row):
                    if not isinstance(cell, str):
                        data.errors.add(f"{row_at}[{cell_index}]", "Must be a string.")
                    elif (problem := tally(data.errors, cell)) is not None:
                        data.errors.add(f"{row_at}[{cell_index}]", problem)
        return compact({"withHeadings": with_headings, "content": rows})

    def clean(self, data: dict[str, Any], clean: Clean) -> None:
        data["content"] = [[clean(cell) for cell in row] for row in data["content"]]

    def render(self, data: dict[str, Any]) -> str:
        rows = data["content"]
        head = ""
        if data.get("withHeadings") is True and rows:
            head = f"<thead>{_render_row(rows[0], 'th')}</thead>"
            rows = rows[1:]
        body = f"<tbody>{''.join(_render_row(row, 'td') for row in rows)}</tbody>" if rows else ""
        return f"<table>{head}{body}</table>"

    def text(self, data: dict[str, Any]) -> str:
        return lines(*("\t".join(text_of_clean(cell) for cell in row) for row in data["content"]))


def _render_row(cells: list[str], tag: str) -> str:
    return "<tr>" + "".join(f"<{tag}>{cell}</{tag}>" for cell in cells) + "</tr>"
