"""Shared by the posts.content tests: document builders, error helpers and the audit of rendered HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest

from posts.content import ContentError, parse_document, render_html

LINK_REL = "noopener noreferrer nofollow"
SAFE_SCHEMES = {"http", "https", "mailto"}
IMAGE_URL = "https://cdn.example.com/cat.png"
YOUTUBE_EMBED = "https://www.youtube.com/embed/dQw4w9WgXcQ"
YOUTUBE_SOURCE = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"

# Every tag the renderer may emit, with the attributes it may carry.
EMITTED_ATTRIBUTES: dict[str, set[str]] = {
    **{tag: set() for tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "footer", "pre", "hr")},
    **{tag: set() for tag in ("figcaption", "table", "thead", "tbody", "tr", "th", "td", "strong")},
    **{tag: set() for tag in ("b", "i", "u", "s", "mark", "code", "br")},
    "a": {"href", "rel"},
    "ul": {"class"},
    "ol": {"start", "type"},
    "li": {"data-checked"},
    "figure": {"class"},
    "aside": {"class"},
    "img": {"src", "alt"},
    "iframe": {"src", "width", "height", "frameborder", "allowfullscreen", "loading", "sandbox"},
}


def block(block_type: str, **data: Any) -> dict[str, Any]:
    return {"type": block_type, "data": data}


def item(content: str, children: list[Any] | None = None, **meta: Any) -> dict[str, Any]:
    return {"content": content, "meta": meta, "items": children or []}


def embed(**overrides: Any) -> dict[str, Any]:
    data = {"service": "youtube", "source": YOUTUBE_SOURCE, "embed": YOUTUBE_EMBED, **overrides}
    return block("embed", **{key: value for key, value in data.items() if value is not None})


def render(*blocks: dict[str, Any]) -> str:
    return render_html(parse_document({"blocks": list(blocks)}))


def errors_for(value: Any, **limits: int) -> dict[str, list[str]]:
    with pytest.raises(ContentError) as caught:
        parse_document(value, **limits)
    return caught.value.errors


def block_errors(*blocks: dict[str, Any]) -> dict[str, list[str]]:
    return errors_for({"blocks": list(blocks)})


def nested_list(depth: int) -> list[dict[str, Any]]:
    items = [item("leaf")]
    for level in range(depth - 1):
        items = [item(f"level {depth - 1 - level}", items)]
    return items


def table(rows: int, columns: int, cell: str = "c") -> dict[str, Any]:
    return block("table", content=[[cell] * columns for _ in range(rows)])


def has_safe_scheme(url: str) -> bool:
    # Browsers ignore control characters and whitespace inside a scheme, so compare without them.
    squeezed = re.sub(r"[\x00-\x20\x7f]", "", url).lower()
    scheme = re.match(r"([a-z][a-z0-9+.\-]*):", squeezed)
    return scheme is None or scheme.group(1) in SAFE_SCHEMES


class HtmlAudit(HTMLParser):
    """Collects every tag, attribute or URL in the output that the renderer must never emit."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        allowed = EMITTED_ATTRIBUTES.get(tag)
        if allowed is None:
            self.problems.append(f"unexpected tag <{tag}>")
            return
        for name, value in attrs:
            if name.startswith("on") or name == "style" or name not in allowed:
                self.problems.append(f"unexpected attribute {name}= on <{tag}>")
            if name in {"href", "src"} and not has_safe_scheme(value or ""):
                self.problems.append(f"unsafe URL {value!r} in <{tag} {name}>")
        if tag == "a" and dict(attrs).get("rel") != LINK_REL:
            self.problems.append(f"link without rel={LINK_REL!r}: {attrs}")
        if tag == "img" and not (dict(attrs).get("src") or "").lower().startswith(("https://", "http://")):
            self.problems.append(f"image source is not http(s): {attrs}")
        if tag == "iframe" and not (dict(attrs).get("src") or "").lower().startswith("https://"):
            self.problems.append(f"iframe source is not https: {attrs}")

    handle_startendtag = handle_starttag

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"comment {data!r}")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"declaration {decl!r}")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction {data!r}")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"declaration {data!r}")


def assert_safe_html(output: str) -> None:
    lowered = output.lower()
    assert "<script" not in lowered
    assert "<style" not in lowered
    audit = HtmlAudit()
    audit.feed(output)
    audit.close()
    assert audit.problems == [], output


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<b style="background:url(javascript:alert(1))">x</b>',
    "<b onmouseover=alert(1)>x</b>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<!--<script>alert(1)//-->",
    "<object data=javascript:alert(1)></object><embed src=javascript:alert(1)>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<base href=javascript:alert(1)//>",
]
