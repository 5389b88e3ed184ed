"""List blocks: the list (ordered, unordered or checklist, nestable) and the checklist."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from posts.content.blocks.base import Block, Clean, lines
from posts.content.blocks.text import INLINE_HTML
from posts.content.errors import Check
from posts.content.fields import Fields, as_object, compact
from posts.content.limits import tally
from posts.content.sanitizer import text_of_clean

_LIST_STYLES = ("ordered", "unordered", "checklist")
_MAX_LIST_DEPTH = 10
# Editor.js list counter types mapped onto the <ol type> values that express them without CSS.
_COUNTER_TYPES = {"numeric": "1", "lower-roman": "i", "upper-roman": "I", "lower-alpha": "a", "upper-alpha": "A"}
_LIST_ITEM = "EditorJsListItem"
_LIST_ITEM_REF = {"$ref": f"#/components/schemas/{_LIST_ITEM}"}


class ListBlock(Block):
    """{"style", "meta"?, "items"}: @editorjs/list. Items are inline-HTML strings (v1) or nestable
    {"content", "meta", "items"} objects (v2); rendered as <ul>, <ol> or <ul class="checklist">."""

    data_schema = {
        "type": "object",
        "required": ["items"],
        "properties": {
            "style": {"type": "string", "enum": list(_LIST_STYLES), "default": "unordered"},
            "meta": {
                "type": "object",
                "properties": {"start": {"type": "integer"}, "counterType": {"type": "string"}},
            },
            "items": {
                "type": "array",
                "items": {"oneOf": [INLINE_HTML, _LIST_ITEM_REF]},
                "description": "Inline-HTML strings (@editorjs/list v1) or nestable items (v2), not both.",
            },
        },
    }
    schema_components = {
        _LIST_ITEM: {
            "type": "object",
            "required": ["content"],
            "properties": {
                "content": INLINE_HTML,
                "meta": {"type": "object", "properties": {"checked": {"type": "boolean"}}},
                "items": {"type": "array", "items": _LIST_ITEM_REF, "description": "Nested items, at most 10 levels."},
            },
        }
    }

    def validate(self, data: Fields) -> dict[str, Any]:
        style = data.choice("style", _LIST_STYLES, "unordered")
        meta = data.nested("meta", None)
        items = data.array("items")
        return compact(
            {
                "style": style,
                "meta": _validate_meta(meta) if meta is not None else None,
                "items": _validate_items(items, data.path("items"), data.errors) if items is not None else None,
            }
        )

    def clean(self, data: dict[str, Any], clean: Clean) -> None:
        _clean_items(data["items"], clean)

    def render(self, data: dict[str, Any]) -> str:
        return _render_items(data["items"], data.get("style", "unordered"), data.get("meta", {}))

    def text(self, data: dict[str, Any]) -> str:
        return lines(*_item_texts(data["items"]))


class ChecklistBlock(Block):
    """{"items": [{"text", "checked"}]}: @editorjs/checklist, texts inline HTML; rendered as a checklist
    list."""

    data_schema = {
        "type": "object",
        "required": ["items"],
        "properties": {
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["text"],
                    "properties": {"text": INLINE_HTML, "checked": {"type": "boolean", "default": False}},
                },
            }
        },
    }

    def validate(self, data: Fields) -> dict[str, Any]:
        items = data.array("items")
        if items is None:
            return {}
        validated = []
        for index, value in enumerate(items):
            item = as_object(value, f"{data.path('items')}[{index}]", data.errors)
            if item is not None:
                validated.append({"text": item.text("text"), "checked": item.boolean("checked", False)})
        return {"items": validated}

    def clean(self, data: dict[str, Any], clean: Clean) -> None:
        for item in data["items"]:
            item["text"] = clean(item["text"])

    def render(self, data: dict[str, Any]) -> str:
        items = [{"content": item["text"], "meta": {"checked": item["checked"]}} for item in data["items"]]
        return _render_items(items, "checklist", {})

    def text(self, data: dict[str, Any]) -> str:
        return lines(*(text_of_clean(item["text"]) for item in data["items"]))


def _validate_meta(meta: Fields) -> dict[str, Any]:
    return compact({"start": meta.integer("start", None), "counterType": meta.string("counterType", None)})


def _validate_items(items: list[Any], at: str, errors: Check, depth: int = 1) -> list[Any]:
    # @editorjs/list v1 stored plain strings; v2 stores nestable {content, items, meta} objects.
    if depth == 1 and items and isinstance(items[0], str):
        for index, item in enumerate(items):
            if isinstance(item, str):
                if (problem := tally(errors, item)) is not None:
                    errors.add(f"{at}[{index}]", problem)
            else:
                errors.add(f"{at}[{index}]", "Must be a string, like the first item.")
        return list(items)
    validated = []
    for index, value in enumerate(items):
        item = as_object(value, f"{at}[{index}]", errors, 'Must be an object with "content" and "items".')
        if item is None:
            continue
        content = item.text("content")
        meta = item.nested("meta", None)
        children = item.array("items", [])
        if children and depth >= _MAX_LIST_DEPTH:
            errors.add(item.path("items"), f"Lists may be nested at most {_MAX_LIST_DEPTH} levels deep.")
            children = []
        elif children:
            children = _validate_items(children, item.path("items"), errors, depth + 1)
        validated.append(
            {
                "content": content,
                "meta": compact({"checked": meta.boolean("checked", None)}) if meta is not None else {},
                "items": children or [],
            }
        )
    return validated


def _clean_items(items: list[Any], clean: Clean) -> None:
    for index, item in enumerate(items):
        if isinstance(item, str):
            items[index] = clean(item)
        else:
            item["content"] = clean(item["content"])
            if item.get("items"):
                _clean_items(item["items"], clean)


def _render_items(items: list[Any], style: str, meta: dict[str, Any]) -> str:
    if style == "ordered":
        start = f' start="{int(meta["start"])}"' if "start" in meta else ""
        counter = _COUNTER_TYPES.get(meta.get("counterType", ""))
        kind = f' type="{counter}"' if counter else ""
        opening, closing = f"<ol{start}{kind}>", "</ol>"
    elif style == "checklist":
        opening, closing = '<ul class="checklist">', "</ul>"
    else:
        opening, closing = "<ul>", "</ul>"
    rendered = []
    for item in items:
        if isinstance(item, str):
            content, children, checked = item, [], False
        else:
            content, children = item["content"], item.get("items", [])
            checked = item.get("meta", {}).get("checked") is True
        state = f' data-checked="{str(checked).lower()}"' if style == "checklist" else ""
        nested = _render_items(children, style, {}) if children else ""
        rendered.append(f"<li{state}>{content}{nested}</li>")
    return opening + "".join(rendered) + closing


def _item_texts(items: list[Any]) -> Iterator[str]:
    for item in items:
        if isinstance(item, str):
            yield text_of_clean(item)
        else:
            yield text_of_clean(item["content"])
            yield from _item_texts(item.get("items", []))
