"""The admin's Editor.js widget: the block editor over the document's JSON textarea.

Progressive enhancement: the widget renders the JSON textarea, which is the form field and works without
JavaScript, and a JSON configuration element (``<script type="application/json">``, never executed).
``posts/editorjs/post-editor.js`` reads both, hides the textarea, opens Editor.js (vendored under
``posts/static/posts/editorjs/vendor/`` by ``tools/editorjs/vendor.sh``) and writes the document back into the
textarea when the form is submitted; a "View JSON" button switches to the textarea. No inline script and no
style without the response's nonce, so the admin's Content-Security-Policy holds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django import forms
from django.urls import reverse
from django.utils.html import format_html, json_script

from posts.content.blocks import BLOCK_TYPES
from posts.content.sanitizer import EMBED_HOSTS

VENDOR = "posts/editorjs/vendor"
# Editor.js first, then its tools, then our editor: the order the scripts must run in.
VENDORED = [
    "editorjs",
    "header",
    "list",
    "checklist",
    "quote",
    "code",
    "delimiter",
    "image",
    "table",
    "embed",
    "warning",
]

# The validator's structural limits that the editor's tools can enforce themselves (posts/content/blocks/:
# lists.py _MAX_LIST_DEPTH, table.py _MAX_TABLE_ROWS and _MAX_TABLE_COLUMNS; tests check they agree). The
# document limits (size, blocks, text) stay with the server, which names them in its errors.
LIST_MAX_LEVEL = 10
TABLE_MAX_ROWS = 500
TABLE_MAX_COLUMNS = 50


@dataclass(frozen=True)
class BlockProblem:
    """A problem the validator found in the block at ``block`` (its index in ``blocks``), worded for the
    editor, e.g. ``Level: Must be an integer from 1 to 6.``."""

    block: int
    message: str


class EditorJSWidget(forms.Textarea):
    """The document's JSON textarea, enhanced into Editor.js by ``post-editor.js``.

    ``style_nonce`` is the response's CSP nonce, for the stylesheet Editor.js injects; ``problems`` are the
    ``BlockProblem``s the field found in the submitted document, shown next to their blocks.
    """

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs={"class": "vLargeTextField editorjs-json", "rows": 20, "spellcheck": "false", **(attrs or {})}
        )
        self.style_nonce: str | None = None
        self.problems: list[BlockProblem] = []

    @property
    def media(self) -> forms.Media:
        return forms.Media(
            css={"all": [f"{VENDOR}/{name}.css" for name in VENDORED] + ["posts/editorjs/post-editor.css"]},
            js=[f"{VENDOR}/{name}.js" for name in VENDORED] + ["posts/editorjs/post-editor.js"],
        )

    def editor_config(self) -> dict[str, Any]:
        """What ``post-editor.js`` needs from the server, as JSON."""
        return {
            "styleNonce": self.style_nonce,
            "blockTypes": sorted(BLOCK_TYPES),
            "embedServices": sorted(EMBED_HOSTS),
            "listMaxLevel": LIST_MAX_LEVEL,
            "tableMaxRows": TABLE_MAX_ROWS,
            "tableMaxColumns": TABLE_MAX_COLUMNS,
            "problems": [asdict(problem) for problem in self.problems],
            "mediaEndpoint": reverse("api:media-list"),  # the image tool uploads to the media library and picks from it
        }

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer=None) -> str:
        attrs = dict(attrs or {})
        config_id = f"{attrs.get('id') or f'id_{name}'}_editor"
        attrs["data-editorjs-config"] = config_id
        textarea = super().render(name, value, attrs, renderer)
        return format_html(
            '<div class="post-editor">{}{}</div>',
            textarea,
            json_script(self.editor_config(), config_id),
        )
