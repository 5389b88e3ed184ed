"""Text blocks: paragraph, header, quote and warning, and the delimiter between them."""

from __future__ import annotations

from typing import Any

from posts.content.blocks.base import Block, Clean, element, escape, lines
from posts.content.fields import Fields, compact
from posts.content.sanitizer import text_of_clean

_QUOTE_ALIGNMENTS = ("left", "center")
INLINE_HTML = {"type": "string", "description": "Inline HTML: b, i, u, s, mark, code, br and a are kept."}


class ParagraphBlock(Block):
    """{"text"}, inline HTML; rendered as <p>."""

    data_schema = {"type": "object", "required": ["text"], "properties": {"text": INLINE_HTML}}

    def validate(self, data: Fields) -> dict[str, Any]:
        return compact({"text": data.text("text")})

    def clean(self, data: dict[str, Any], clean: Clean) -> None:
        data["text"] = clean(data["text"])

    def render(self, data: dict[str, Any]) -> str:
        return f"<p>{data['text']}</p>"

    def text(self, data: dict[str, Any]) -> str:
        return text_of_clean(data["text"])


class HeaderBlock(ParagraphBlock):
    """{"text", "level"}: a paragraph's text with a level from 1 to 6; rendered as <h1> to <h6>."""

    data_schema = {
        "type": "object",
        "required": ["text", "level"],
        "properties": {"text": INLINE_HTML, "level": {"type": "integer", "minimum": 1, "maximum": 6}},
    }

    def validate(self, data: Fields) -> dict[str, Any]:
        return compact({"text": data.text("text"), "level": data.integer("level", low=1, high=6)})

    def render(self, data: dict[str, Any]) -> str:
        level = int(data["level"])
        return f"<h{level}>{data['text']}</h{level}>"


class QuoteBlock(Block):
    """{"text", "caption"?, "alignment"?}, both texts inline HTML; rendered as <blockquote>, the caption as its
    <footer>."""

    data_schema = {
        "type": "object",
        "required": ["text"],
        "properties": {
            "text": INLINE_HTML,
            "caption": INLINE_HTML,
            "alignment": {"type": "string", "enum": list(_QUOTE_ALIGNMENTS)},
        },
    }

    def validate(self, data: Fields) -> dict[str, Any]:
        return compact(
            {
                "text": data.text("text"),
                "caption": data.text("caption", None),
                "alignment": data.choice("alignment", _QUOTE_ALIGNMENTS, None),
            }
        )

    def clean(self, data: dict[str, Any], clean: Clean) -> None:
        data["text"] = clean(data["text"])
        if "caption" in data:
            data["caption"] = clean(data["caption"])

    def render(self, data: dict[str, Any]) -> str:
        footer = element("footer", data.get("caption", ""))
        return f"<blockquote><p>{data['text']}</p>{footer}</blockquote>"

    def text(self, data: dict[str, Any]) -> str:
        return lines(text_of_clean(data["text"]), text_of_clean(data.get("caption", "")))


class WarningBlock(Block):
    """{"title", "message"}, both inline HTML; rendered as <aside class="warning">."""

    data_schema = {
        "type": "object",
        "required": ["title", "message"],
        "properties": {"title": INLINE_HTML, "message": INLINE_HTML},
    }

    def validate(self, data: Fields) -> dict[str, Any]:
        return compact({"title": data.text("title"), "message": data.text("message")})

    def clean(self, data: dict[str, Any], clean: Clean) -> None:
        data["title"] = clean(data["title"])
        data["message"] = clean(data["message"])

    def render(self, data: dict[str, Any]) -> str:
        # The title is shown as plain text inside our own <strong>, so markup in it is dropped, not kept.
        title = element("strong", escape(text_of_clean(data["title"])))
        return f'<aside class="warning">{title}{element("p", data["message"])}</aside>'

    def text(self, data: dict[str, Any]) -> str:
        return lines(text_of_clean(data["title"]), text_of_clean(data["message"]))


class DelimiterBlock(Block):
    """No data (any given is dropped); rendered as <hr>."""

    data_schema = {"type": "object", "description": "Empty: any field given is dropped."}

    def validate(self, data: Fields) -> dict[str, Any]:
        return {}

    def render(self, data: dict[str, Any]) -> str:
        return "<hr>"
