"""Media blocks, shown as a <figure> with an optional caption: the image and the embed."""

from __future__ import annotations

from typing import Any

from posts.content.blocks.base import Block, Clean, element, escape
from posts.content.blocks.text import INLINE_HTML
from posts.content.errors import shorten
from posts.content.fields import Fields, compact
from posts.content.sanitizer import EMBED_HOSTS, HTTPS, IFRAME_SANDBOX, WEB_SCHEMES, is_allowed_url, text_of_clean

_IMAGE_FLAGS = (
    ("withBorder", "image-with-border"),
    ("withBackground", "image-with-background"),
    ("stretched", "image-stretched"),
)
_MAX_EMBED_DIMENSION = 10_000
_WEB_URL = {"type": "string", "description": "An http or https URL."}


class _FigureBlock(Block):
    """A block whose only text is an optional inline-HTML "caption", rendered as its <figcaption>."""

    def clean(self, data: dict[str, Any], clean: Clean) -> None:
        if "caption" in data:
            data["caption"] = clean(data["caption"])

    def text(self, data: dict[str, Any]) -> str:
        return text_of_clean(data.get("caption", ""))


class ImageBlock(_FigureBlock):
    """{"file": {"url"}} (@editorjs/image) or {"url"} (simple-image), with "caption" and the display flags;
    an http(s) URL, checked again when rendered."""

    data_schema = {
        "type": "object",
        "description": 'Either "file" (the image tool) or "url" (the simple-image tool), not both.',
        "properties": {
            "file": {"type": "object", "required": ["url"], "properties": {"url": _WEB_URL}},
            "url": _WEB_URL,
            "caption": INLINE_HTML,
            **{flag: {"type": "boolean"} for flag, _ in _IMAGE_FLAGS},
        },
    }

    def validate(self, data: Fields) -> dict[str, Any]:
        # The image tool stores {"file": {"url": ...}}; the simple-image tool stores {"url": ...}.
        if "file" in data.data and "url" in data.data:
            data.errors.add(data.at, 'Must have either "file" or "url", not both.')
            source: dict[str, Any] = {}
        elif "url" in data.data:
            source = {"url": data.url("url", WEB_SCHEMES)}
        else:
            file = data.nested("file")
            source = {"file": compact({"url": file.url("url", WEB_SCHEMES)})} if file is not None else {}
        flags = {flag: data.boolean(flag, None) for flag, _ in _IMAGE_FLAGS}
        return compact({**source, "caption": data.text("caption", None), **flags})

    def render(self, data: dict[str, Any]) -> str:
        url = data["file"]["url"] if "file" in data else data["url"]
        if not is_allowed_url(url, WEB_SCHEMES):
            return ""
        classes = " ".join(css_class for flag, css_class in _IMAGE_FLAGS if data.get(flag) is True)
        class_attr = f' class="{classes}"' if classes else ""
        caption = data.get("caption", "")
        return (
            f'<figure{class_attr}><img src="{escape(url)}" alt="{escape(text_of_clean(caption))}">'
            f"{element('figcaption', caption)}</figure>"
        )


class EmbedBlock(_FigureBlock):
    """{"service", "source", "embed", "width"?, "height"?, "caption"?}: @editorjs/embed. The embed URL must be
    https on one of the service's hosts (checked again when rendered); rendered as a sandboxed <iframe>."""

    data_schema = {
        "type": "object",
        "required": ["service", "source", "embed"],
        "properties": {
            "service": {"type": "string", "enum": sorted(EMBED_HOSTS)},
            "source": _WEB_URL,
            "embed": {"type": "string", "description": "An https URL on one of the service's hosts."},
            "width": {"type": "integer", "minimum": 1, "maximum": _MAX_EMBED_DIMENSION},
            "height": {"type": "integer", "minimum": 1, "maximum": _MAX_EMBED_DIMENSION},
            "caption": INLINE_HTML,
        },
    }

    def validate(self, data: Fields) -> dict[str, Any]:
        service = data.string("service")
        hosts = EMBED_HOSTS.get(service) if service is not None else None
        if service is not None and hosts is None:
            data.errors.add(data.path("service"), f"Unsupported embed service {shorten(service)!r}.")
        bounds = {"low": 1, "high": _MAX_EMBED_DIMENSION}
        return compact(
            {
                "service": service,
                "source": data.url("source", WEB_SCHEMES),
                "embed": data.url("embed", HTTPS, hosts),
                "width": data.integer("width", None, **bounds),
                "height": data.integer("height", None, **bounds),
                "caption": data.text("caption", None),
            }
        )

    def render(self, data: dict[str, Any]) -> str:
        service, url = data["service"], data["embed"]
        hosts = EMBED_HOSTS.get(service)
        if hosts is None or not is_allowed_url(url, HTTPS, hosts):
            return ""
        size = "".join(f' {name}="{int(data[name])}"' for name in ("width", "height") if name in data)
        iframe = (
            f'<iframe src="{escape(url)}"{size} frameborder="0" allowfullscreen loading="lazy"'
            f' sandbox="{IFRAME_SANDBOX}"></iframe>'
        )
        caption = element("figcaption", data.get("caption", ""))
        return f'<figure class="embed embed-{escape(service)}">{iframe}{caption}</figure>'
