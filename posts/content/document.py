"""The document around the blocks: decoding, the document and block fields, and the one sanitizing pass."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

from posts.content.blocks import BLOCK_TYPES, Block
from posts.content.errors import DOCUMENT, MAX_ERRORS, Check, ContentError, TooManyErrors, document_error, shorten
from posts.content.fields import Fields, as_object, compact
from posts.content.limits import Limits, check_counts, check_text_totals, check_values_strings_and_depth
from posts.content.sanitizer import clean_inline

_DOCUMENT_KEYS = frozenset({"time", "blocks", "version"})
_BLOCK_KEYS = frozenset({"id", "type", "data", "tunes"})
_MAX_ID_LENGTH = 64
_VALID_TYPES = ", ".join(sorted(BLOCK_TYPES))


class Document(dict):
    """A document as `parse_document` returns it: a plain JSON-serializable dict whose inline-HTML text fields
    are already reduced to the inline allow-list.

    `render_html` and `plain_text` use the text of a `Document` as it is, and sanitize the text of any other
    dict first (e.g. a document read back from storage). Treat it as read-only.
    """


def parse(value: Any, limits: Limits) -> Document:
    """`parse_document` under `limits`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return Document(blocks=[])
    document = _load_json(value, limits)
    check = Check(limits)
    normalized: dict[str, Any] = {}
    try:
        normalized = _validate_document(document, check)
    except TooManyErrors:
        check.found.setdefault(DOCUMENT, []).append(f"Too many errors; only the first {MAX_ERRORS} are reported.")
    if check.found:
        raise ContentError(check.found)
    for block in normalized["blocks"]:
        if "tunes" in block:
            # Kept as given, so copied: the caller's data is never shared. Only now is its depth known to be
            # within MAX_JSON_DEPTH.
            block["tunes"] = _copy_json(block["tunes"])
    return _sanitize(normalized)


def trusted(document: dict[str, Any]) -> Document:
    """`document` when it is a `Document`, else a sanitized copy (the caller's dict is left as it is)."""
    return document if isinstance(document, Document) else _sanitize(copy.deepcopy(document))


def typed_blocks(document: dict[str, Any]) -> Iterator[tuple[Block, dict[str, Any]]]:
    """(block type, data) for each block of `document` whose type is known, in order; the others are skipped."""
    for block in document.get("blocks", []):
        kind = BLOCK_TYPES.get(block.get("type"))
        if kind is not None:
            yield kind, block["data"]


def _sanitize(document: dict[str, Any]) -> Document:
    """Sanitize the text of `document`'s blocks in place (blocks of unknown type are left alone); return it
    as a `Document`."""
    for kind, data in typed_blocks(document):
        kind.clean(data, clean_inline)
    return Document(document)


# --- Decoding ---------------------------------------------------------------------------------------


def _load_json(value: Any, limits: Limits) -> Any:
    """Decode `value` (JSON text, or JSON-like Python data), enforcing `max_bytes`.

    Decoded data is returned as is: validation builds the document anew from it, and `parse` copies what it
    keeps as given, so the caller's data is never changed or shared.
    """
    if isinstance(value, str):
        text = value
    else:
        # Encoding measures the size the same way for both inputs and proves the data is JSON.
        try:
            text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        except RecursionError:
            raise document_error("Content is nested too deeply.") from None
        except (TypeError, ValueError):
            raise document_error("Content must be JSON data.") from None
    if len(text.encode("utf-8", "surrogatepass")) > limits.max_bytes:
        name = limits.names.get("max_bytes")
        raise document_error(
            f"Content exceeds the maximum size of {_kib(limits.max_bytes)}{f' ({name})' if name else ''}."
        )
    if not isinstance(value, str):
        return value
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise document_error("Content is nested too deeply.") from None
    except ValueError as exc:
        raise document_error(f"Content is not valid JSON ({exc}).") from None


def _copy_json(value: Any) -> Any:
    """A deep copy of decoded JSON data (dicts, lists and immutable scalars), several times faster than
    `copy.deepcopy` for the small objects documents are made of."""
    if isinstance(value, dict):
        return {key: _copy_json(child) for key, child in value.items()}
    if isinstance(value, list):
        return [_copy_json(child) for child in value]
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _kib(size: int) -> str:
    return f"{size // 1024} KiB" if size % 1024 == 0 else f"{size / 1024:.1f} KiB"


# --- Validation ------------------------------------------------------------------------------------------


def _validate_document(document: Any, check: Check) -> dict[str, Any]:
    """The normalized document, its text not yet sanitized; problems are recorded in `check`. The cheapest
    checks come first: a document over a count limit is refused without looking at its strings, one with
    too many values without validating its blocks."""
    if not isinstance(document, dict):
        check.add(DOCUMENT, 'Content must be a JSON object with a "blocks" array.')
        return {}
    root = Fields(document, "", check)
    blocks = root.array("blocks")
    if blocks is not None and len(blocks) > check.limits.max_blocks:
        check.add("blocks", f"Too many blocks ({len(blocks)}); the maximum is {check.limits.maximum('max_blocks')}.")
        return {}
    if blocks is not None:
        check_counts(blocks, check)
        if check.found:
            return {}
    if not check_values_strings_and_depth(document, check):
        return {}
    root.reject_unknown(_DOCUMENT_KEYS)
    time = root.integer("time", None, low=0)
    version = root.string("version", None)
    if blocks is None:
        return {}
    validated = [_validate_block(block, f"blocks[{index}]", check) for index, block in enumerate(blocks)]
    check_text_totals(check)
    return compact({"time": time, "blocks": validated, "version": version})


def _validate_block(value: Any, at: str, errors: Check) -> dict[str, Any]:
    block = as_object(value, at, errors)
    if block is None:
        return {}
    block.reject_unknown(_BLOCK_KEYS)
    block_id = block.string("id", None, max_length=_MAX_ID_LENGTH)
    block_type = block.string("type")
    data = block.nested("data")
    tunes = block.nested("tunes", None)
    kind = BLOCK_TYPES.get(block_type) if block_type is not None else None
    if block_type is not None and kind is None:
        errors.add(block.path("type"), f"Unknown block type {shorten(block_type)!r}. Valid types: {_VALID_TYPES}.")
    return compact(
        {
            "id": block_id,
            "type": block_type,
            "data": kind.validate(data) if kind is not None and data is not None else None,
            "tunes": tunes.data if tunes is not None else None,
        }
    )
