"""The code block."""

from __future__ import annotations

from typing import Any

from posts.content.blocks.base import Block, escape
from posts.content.fields import Fields, compact


class CodeBlock(Block):
    """{"code"}: plain text, not HTML, so it is kept as given (never cleaned) and escaped when rendered, as
    <pre><code>."""

    data_schema = {
        "type": "object",
        "required": ["code"],
        "properties": {"code": {"type": "string", "description": "Plain text, not HTML."}},
    }

    def validate(self, data: Fields) -> dict[str, Any]:
        return compact({"code": data.string("code")})

    def render(self, data: dict[str, Any]) -> str:
        return f"<pre><code>{escape(data['code'])}</code></pre>"

    def text(self, data: dict[str, Any]) -> str:
        return data["code"]
