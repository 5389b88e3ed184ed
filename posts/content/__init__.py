"""Editor.js documents: validation and sanitizing (`parse_document`), output (`render_html`, `plain_text`).

Pure Python with no Django dependency: callers pass limits (e.g. from settings) as keyword arguments.

Inline HTML in text fields is sanitized once, by `parse_document`: the `Document` it returns holds no markup
outside the inline allow-list (so it can be stored and handed to an editor as is), and `render_html` and
`plain_text` use its text without sanitizing it again.

Error locations are paths into the submitted JSON: top-level fields by name ("blocks", "time"), blocks as
"blocks[3]", their fields as "blocks[3].data.items[1].content"; problems with the document as a whole
(not JSON, not an object, too large, too much work, too many errors) are reported under "document".

Where things are: each block type is one class in `blocks/` (its validation, sanitizing, rendering and plain
text; `blocks/__init__.py` maps type names to them); `sanitizer.py` is the security surface (inline allow-list,
URL policy, embed hosts); `limits.py` the work limits; `fields.py` the typed field reader; `errors.py` error
locations and collection; `document.py` decoding, the document and block fields, and the sanitizing pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from posts.content.document import Document, parse, trusted, typed_blocks
from posts.content.errors import ContentError
from posts.content.limits import Limits

__all__ = ["ContentError", "Document", "parse_document", "plain_text", "render_html"]


def parse_document(
    value: str | dict[str, Any] | None,
    *,
    max_bytes: int = 512 * 1024,
    max_blocks: int = 500,
    max_string_length: int = 100_000,
    max_table_cells: int = 3_000,
    max_list_items: int = 500,
    max_text_length: int = 200_000,
    max_markup: int = 2_000,
    max_field_markup: int = 500,
    max_values: int = 20_000,
    limit_names: Mapping[str, str] | None = None,
) -> Document:
    """Validate an Editor.js document given as a JSON string or an already-decoded dict, and sanitize its
    inline HTML.

    None or a blank string is the empty document {"blocks": []}. The limits bound the work a document costs:
    `max_bytes` applies to the UTF-8 JSON encoding, `max_string_length` to every string anywhere in the
    document, `max_values` to the JSON values anywhere in it (objects, arrays, strings, numbers, booleans and
    nulls, the document itself, tunes and ignored fields included), `max_table_cells` and `max_list_items`
    (nested and checklist items included) to the whole document, and over its inline-HTML text fields,
    `max_text_length` to their total length, `max_markup` to their total markup characters ("<", "&" and
    no-break spaces) and `max_field_markup` to those of each one. `limit_names` maps these keyword names to
    how messages should name the limit, e.g. {"max_blocks": "POLYCMS_POSTS['CONTENT_MAX_BLOCKS']"}. Counts
    are checked before any text is sanitized.
    All problems are collected (up to 50) and raised together as one `ContentError`.

    Returns a new, normalized `Document`: "blocks" (always), plus "time" and "version" when given. Each block
    keeps "id", "type", "data" and "tunes" (kept as given); block data keeps only the fields this module knows,
    with defaults filled in (list "style" = "unordered", list item "items" = [] and "meta" = {}, checklist
    "checked" = false). Inline HTML in text fields is reduced to the allow-list `render_html` describes;
    code is plain text and kept as given. Parsing a returned document again returns an equal one.
    """
    limits = Limits(
        max_bytes=max_bytes,
        max_blocks=max_blocks,
        max_string_length=max_string_length,
        max_table_cells=max_table_cells,
        max_list_items=max_list_items,
        max_text_length=max_text_length,
        max_markup=max_markup,
        max_field_markup=max_field_markup,
        max_values=max_values,
        names=dict(limit_names or {}),
    )
    return parse(value, limits)


def render_html(document: dict[str, Any]) -> str:
    """Render a document returned by `parse_document` to sanitized HTML; blocks are joined with "\n".

    The output is deterministic. Inline markup in text fields is reduced to b, i, u, s, mark, code, br and
    a (http, https, mailto or relative href only, always with rel="noopener noreferrer nofollow"): by
    `parse_document` for a `Document`, here for any other dict. Blocks of unknown type, and images or embeds
    whose URL fails the render-time re-check, are skipped.
    """
    rendered = (kind.render(data) for kind, data in typed_blocks(trusted(document)))
    return "\n".join(part for part in rendered if part)


def plain_text(document: dict[str, Any]) -> str:
    """Return the text of a document returned by `parse_document`, without markup (for search indexing).

    Blocks are separated by newlines, as are list items and table rows; table cells by tabs.
    """
    texts = (kind.text(data) for kind, data in typed_blocks(trusted(document)))
    return "\n".join(text for text in texts if text)
