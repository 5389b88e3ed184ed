"""The work limits: what checking and sanitizing a document may cost, counted before any text is sanitized.

The passes run cheapest first (see `posts.content.document`): the table cells and list items of the raw
blocks (`check_counts`), then every JSON value, string and nesting level (`check_values_strings_and_depth`),
then, as validation reads them, the inline-HTML text fields (`tally`, `check_text_totals`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from posts.content.errors import DOCUMENT, Check, child_path

MAX_JSON_DEPTH = 64

# PostgreSQL cannot store NUL, and nh3 cannot encode lone surrogates.
_UNSTORABLE_CHARS = re.compile("[\x00\ud800-\udfff]")


@dataclass(frozen=True)
class Limits:
    """The limits `parse_document` is given; `names` maps their keyword names to how messages name them."""

    max_bytes: int
    max_blocks: int
    max_string_length: int
    max_table_cells: int
    max_list_items: int
    max_text_length: int
    max_markup: int
    max_field_markup: int
    max_values: int
    names: dict[str, str] = field(default_factory=dict)

    def maximum(self, key: str) -> str:
        """`key`'s value for a message, followed by the caller's name for it when there is one."""
        name = self.names.get(key)
        return f"{getattr(self, key)} ({name})" if name else str(getattr(self, key))


# --- Table cells and list items ----------------------------------------------------------------------------


def _count_cells_and_items(blocks: list[Any]) -> tuple[int, int]:
    """The table cells and list items (nested and checklist items included) of `blocks`, counted before
    validation from whatever shape they have, so that an oversized document is refused before any
    per-string work. Malformed parts count as nothing; validation reports them."""
    cells = items = 0
    for block in blocks:
        data = block.get("data") if isinstance(block, dict) else None
        if not isinstance(data, dict):
            continue
        kind = block.get("type")
        if kind == "table" and isinstance(rows := data.get("content"), list):
            cells += sum(len(row) for row in rows if isinstance(row, list))
        elif kind in ("list", "checklist") and isinstance(entries := data.get("items"), list):
            levels = [entries]
            while levels:
                level = levels.pop()
                items += len(level)
                if kind == "list":
                    levels.extend(e["items"] for e in level if isinstance(e, dict) and isinstance(e.get("items"), list))
    return cells, items


def check_counts(blocks: list[Any], check: Check) -> None:
    limits = check.limits
    cells, items = _count_cells_and_items(blocks)
    if cells > limits.max_table_cells:
        check.add(
            DOCUMENT,
            f"The document has {cells} table cells; the maximum is {limits.maximum('max_table_cells')}.",
        )
    if items > limits.max_list_items:
        check.add(
            DOCUMENT,
            f"The document has {items} list items (nested and checklist items included); the maximum is "
            f"{limits.maximum('max_list_items')}.",
        )


# --- Values, strings and depth -----------------------------------------------------------------------------


def _walk(document: Any) -> Iterator[tuple[str, Any, int]]:
    """Yield (location, value, depth) for every value in document order, without recursion."""
    stack: list[tuple[str, Any, int]] = [("", document, 0)]
    while stack:
        location, node, depth = stack.pop()
        yield location, node, depth
        if depth >= MAX_JSON_DEPTH:
            continue
        if isinstance(node, dict):
            children = [(child_path(location, key), child) for key, child in node.items()]
        elif isinstance(node, list):
            children = [(f"{location}[{index}]", child) for index, child in enumerate(node)]
        else:
            continue
        stack.extend((path, child, depth + 1) for path, child in reversed(children))


def _string_problems(text: str, limits: Limits) -> list[str]:
    problems = []
    if len(text) > limits.max_string_length:
        problems.append(f"Must be at most {limits.maximum('max_string_length')} characters long.")
    if _UNSTORABLE_CHARS.search(text):
        problems.append("Must not contain NUL characters or unpaired surrogates.")
    return problems


def _scan(node: dict[str, Any] | list[Any], max_string_length: int, budget: list[int], depth: int = 0) -> bool:
    """Whether `check_values_strings_and_depth` would find anything below `node`, or its values exhaust
    `budget` (a one-item list, counted down): the same checks without building locations, stopping at the
    first problem. Recursion is bounded by `MAX_JSON_DEPTH`."""
    if depth >= MAX_JSON_DEPTH:
        return True
    budget[0] -= len(node)
    if budget[0] < 0:
        return True
    if isinstance(node, dict):
        for key in node:  # field names are stored too, so they need the same limits as values
            if len(key) > max_string_length or _UNSTORABLE_CHARS.search(key):
                return True
        node = node.values()
    for value in node:
        if isinstance(value, str):
            if len(value) > max_string_length or _UNSTORABLE_CHARS.search(value):
                return True
        elif (
            isinstance(value, dict | list)
            and (value or depth + 1 >= MAX_JSON_DEPTH)
            and _scan(value, max_string_length, budget, depth + 1)
        ):
            return True
    return False


def check_values_strings_and_depth(document: dict[str, Any], check: Check) -> bool:
    """Apply the limits that hold everywhere, including in fields that are kept as given or ignored. False
    when the document has too many values to be looked at any further."""
    if not _scan(document, check.limits.max_string_length, [check.limits.max_values - 1]):
        return True
    for count, (location, node, depth) in enumerate(_walk(document), start=1):
        if count > check.limits.max_values:
            check.add(DOCUMENT, f"The document has more than {check.limits.maximum('max_values')} JSON values.")
            return False
        if isinstance(node, str):
            for problem in _string_problems(node, check.limits):
                check.add(location, problem)
        elif isinstance(node, dict | list) and depth >= MAX_JSON_DEPTH:
            check.add(location, "Content is nested too deeply.")
        elif isinstance(node, dict):
            # Field names are stored too, so they need the same limits as values.
            for key in node:
                for problem in _string_problems(key, check.limits):
                    check.add(child_path(location, key), f"Field name: {problem}")
    return True


# --- Inline-HTML text --------------------------------------------------------------------------------------


def tally(check: Check, text: str) -> str | None:
    """Count inline-HTML `text` towards the document's totals in `check`; return the problem when the field
    alone is over its limit (the caller knows where it is)."""
    # Markup characters are what make sanitizing expensive: "<" opens a tag (nested tags cost nh3 time
    # quadratic in their number), "&" starts a character reference, and nh3 rewrites a no-break space as
    # "&nbsp;"; long runs of the last two in one string also cost it more than linear time.
    markup = text.count("<") + text.count("&") + text.count("\xa0")
    check.text_length += len(text)
    check.markup += markup
    if markup <= check.limits.max_field_markup:
        return None
    return (
        f"Must have at most {check.limits.maximum('max_field_markup')} markup characters"
        f" ('<', '&' or no-break spaces); it has {markup}."
    )


def check_text_totals(check: Check) -> None:
    limits = check.limits
    if check.text_length > limits.max_text_length:
        check.add(
            DOCUMENT,
            f"The document has {check.text_length} characters of text; the maximum is "
            f"{limits.maximum('max_text_length')}.",
        )
    if check.markup > limits.max_markup:
        check.add(
            DOCUMENT,
            f"The document has {check.markup} markup characters ('<', '&' or no-break spaces) in its text; "
            f"the maximum is {limits.maximum('max_markup')}.",
        )
