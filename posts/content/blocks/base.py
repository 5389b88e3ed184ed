"""`Block`, the base class of the block types, and the helpers their HTML and plain text share."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from posts.content.fields import Fields

# A function reducing one string of inline HTML to the allow-list (`posts.content.sanitizer.clean_inline`).
Clean = Callable[[str], str]


class Block:
    """One Editor.js block type: how its "data" is validated, sanitized, rendered and turned into plain text.

    Subclasses implement `validate` and `render`, and override `clean` and `text` when the block has
    inline-HTML text fields or other text. `data_schema` describes the "data" `validate` accepts, as an OpenAPI
    3.0 schema (the API's schema names it `EditorJs<Type>Data`); fields it does not know are dropped. The named
    schemas it refers to (``#/components/schemas/<name>``) are in `schema_components`.
    """

    data_schema: dict[str, Any] = {"type": "object"}
    schema_components: dict[str, dict[str, Any]] = {}

    def validate(self, data: Fields) -> dict[str, Any]:
        """The normalized data read through `data` (known fields only, defaults filled in), its text not yet
        sanitized; problems are recorded through `data`."""
        raise NotImplementedError

    def clean(self, data: dict[str, Any], clean: Clean) -> None:
        """Apply `clean` in place to every inline-HTML text field of validated `data`; by default there are
        none."""

    def render(self, data: dict[str, Any]) -> str:
        """`data` as HTML, or "" to skip the block. Its text fields are already sanitized; everything else
        that reaches the output must be escaped."""
        raise NotImplementedError

    def text(self, data: dict[str, Any]) -> str:
        """The plain text of `data`, without markup; by default there is none."""
        return ""


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def element(tag: str, inner: str) -> str:
    """`inner` wrapped in `tag`, or nothing when it is blank."""
    return f"<{tag}>{inner}</{tag}>" if inner.strip() else ""


def lines(*parts: str) -> str:
    """The non-empty `parts`, one per line."""
    return "\n".join(part for part in parts if part)
