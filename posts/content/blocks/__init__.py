"""The block types by Editor.js type name: one class each, holding the block's validation, sanitizing,
rendering and plain text (see `Block`)."""

from __future__ import annotations

from posts.content.blocks.base import Block
from posts.content.blocks.code import CodeBlock
from posts.content.blocks.lists import ChecklistBlock, ListBlock
from posts.content.blocks.media import EmbedBlock, ImageBlock
from posts.content.blocks.table import TableBlock
from posts.content.blocks.text import DelimiterBlock, HeaderBlock, ParagraphBlock, QuoteBlock, WarningBlock

__all__ = ["BLOCK_TYPES", "Block"]

BLOCK_TYPES: dict[str, Block] = {
    "paragraph": ParagraphBlock(),
    "header": HeaderBlock(),
    "list": ListBlock(),
    "checklist": ChecklistBlock(),
    "quote": QuoteBlock(),
    "code": CodeBlock(),
    "delimiter": DelimiterBlock(),
    "image": ImageBlock(),
    "table": TableBlock(),
    "embed": EmbedBlock(),
    "warning": WarningBlock(),
}
