"""The Editor.js documents the POST targets send: a typical small one, and the costliest one the
``POLYCMS_POSTS`` limits accept (for the worst-case create)."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import Any

# One markup character ("<") in the form that costs nh3 the most of those we timed: an unclosed link whose
# URL it parses and to which it adds rel. One per text field costs more than the same markup nested in
# fewer fields (each field is one more nh3 call).
COSTLY_MARKUP = '<a href="https://example.com/a?b=c#d">x'
_FILLER = "lorem ipsum dolor sit amet "
_TABLE_ROWS, _TABLE_COLUMNS = 500, 10  # within the per-table caps of posts.content
_IMAGE_URL = "https://cdn.example.com/images/2026/12/a-rather-long-file-name.png?width=1200"
_TUNES = {"alignment": {"alignment": "left"}}
# Clients may send the body with more whitespace than the compact JSON measured here.
_SIZE_MARGIN = 0.97


def typical() -> dict[str, Any]:
    """A header and a paragraph with a little inline markup."""
    return {
        "blocks": [
            {"type": "header", "data": {"text": "Load test", "level": 2}},
            {"type": "paragraph", "data": {"text": "Posted by <b>wrk</b> during a PolyCMS benchmark."}},
        ]
    }


@functools.cache
def worst_case() -> dict[str, Any]:
    """The costliest document to create that the current ``POLYCMS_POSTS`` limits accept, as far as we know.

    Blocks cost more than anything else, and the dearest we timed are a list of one item (with its meta) and
    an image (URL check, caption, flags): so every table cell allowed in as few tables as possible, one list
    block per list item allowed, the remaining blocks as images, each block with an id and a tune, as
    Editor.js sends them. One `COSTLY_MARKUP` goes in as many text fields as the markup limit allows, and
    plain text is spread over every field up to the text and size limits. The values the limit still allows
    go into a tune as empty arrays (each one more object to decode, check, copy and encode), and the bytes
    still allowed into a tune string. Built once per process, from the limits in effect then. Raises
    ``ValueError`` when the limits refuse it (then this builder needs updating along with them)."""
    from posts import content, services
    from posts.settings import posts_settings as limits

    cells, items = limits.CONTENT_MAX_TABLE_CELLS, limits.CONTENT_MAX_LIST_ITEMS
    tables = -(-cells // (_TABLE_ROWS * _TABLE_COLUMNS))
    lists = min(items, limits.CONTENT_MAX_BLOCKS - tables)
    images = limits.CONTENT_MAX_BLOCKS - tables - lists
    if lists < 1:
        raise ValueError("the table cells need more blocks than CONTENT_MAX_BLOCKS allows")
    fields = cells + items + images
    marked = min(fields, limits.CONTENT_MAX_MARKUP)
    texts = [COSTLY_MARKUP] * marked + [""] * (fields - marked)

    shape = (cells, items, lists, images)
    max_size = int(limits.CONTENT_MAX_BYTES * _SIZE_MARGIN)
    text_left = limits.CONTENT_MAX_TEXT_LENGTH - sum(map(len, texts))
    bytes_left = max_size - _size(_document(texts, *shape))
    share = max(0, min(text_left, bytes_left) // fields)
    filler = (_FILLER * (share // len(_FILLER) + 1))[:share]
    document = _document([text + filler for text in texts], *shape)

    tune: dict[str, Any] = {"values": [], "text": ""}
    document["blocks"][0]["tunes"] = {**_TUNES, "bulk": tune}
    values_left = limits.CONTENT_MAX_VALUES - _values(document)
    tune["values"] = [[] for _ in range(max(0, min(values_left, (max_size - _size(document)) // 3)))]
    tune["text"] = "x" * max(0, min(max_size - _size(document), limits.CONTENT_MAX_STRING_LENGTH))
    try:
        services.content_parse(document)
    except content.ContentError as exc:
        raise ValueError(f"the POLYCMS_POSTS limits refuse the worst-case document: {exc}") from None
    return document


def _size(document: dict[str, Any]) -> int:
    return len(_json(document).encode())


def _values(value: Any) -> int:
    """JSON values in ``value``, itself included (as ``CONTENT_MAX_VALUES`` counts them)."""
    if isinstance(value, dict):
        return 1 + sum(map(_values, value.values()))
    if isinstance(value, list):
        return 1 + sum(map(_values, value))
    return 1


def _json(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def _document(texts: list[str], cells: int, items: int, lists: int, images: int) -> dict[str, Any]:
    """Tables with ``cells`` cells, ``lists`` lists with ``items`` items between them (one each, the rest in
    the last) and ``images`` images, taking their text from ``texts`` in that order."""
    text = iter(texts)
    blocks = [_table(text, count) for count in _chunks(cells, _TABLE_ROWS * _TABLE_COLUMNS)]
    blocks += [_list(text, 1) for _ in range(lists - 1)] + [_list(text, items - (lists - 1))]
    blocks += [_image(text) for _ in range(images)]
    return {"blocks": [{"id": f"b{index:09d}", **block, "tunes": _TUNES} for index, block in enumerate(blocks)]}


def _chunks(total: int, size: int) -> Iterator[int]:
    while total > 0:
        yield min(total, size)
        total -= size


def _table(text: Iterator[str], cells: int) -> dict[str, Any]:
    rows = [[next(text) for _ in range(width)] for width in _chunks(cells, _TABLE_COLUMNS)]
    return {"type": "table", "data": {"withHeadings": True, "content": rows}}


def _list(text: Iterator[str], items: int) -> dict[str, Any]:
    entries = [{"content": next(text), "meta": {"checked": False}, "items": []} for _ in range(items)]
    return {
        "type": "list",
        "data": {"style": "ordered", "meta": {"start": 1, "counterType": "lower-roman"}, "items": entries},
    }


def _image(text: Iterator[str]) -> dict[str, Any]:
    flags = {"withBorder": True, "withBackground": True, "stretched": True}
    return {"type": "image", "data": {"file": {"url": _IMAGE_URL}, "caption": next(text), **flags}}
