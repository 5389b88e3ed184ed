"""The security surface of Editor.js content: the inline-HTML allow-list, the URL policy and the embed hosts.

Inline HTML in text fields is reduced by `clean_inline`, once per string; image and embed URLs must pass
`is_allowed_url` when validated and again when rendered; embeds load only from `EMBED_HOSTS`, inside
`IFRAME_SANDBOX`. Everything else the blocks write into HTML is escaped by them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection
from urllib.parse import urlsplit

import nh3

WEB_SCHEMES = frozenset({"http", "https"})
HTTPS = frozenset({"https"})
EMBED_HOSTS: dict[str, frozenset[str]] = {
    "youtube": frozenset({"www.youtube.com", "youtube.com", "www.youtube-nocookie.com"}),
    "vimeo": frozenset({"player.vimeo.com"}),
    "twitter": frozenset({"platform.twitter.com", "twitframe.com"}),
    "instagram": frozenset({"www.instagram.com", "instagram.com"}),
    "codepen": frozenset({"codepen.io"}),
    "gfycat": frozenset({"gfycat.com"}),
    "imgur": frozenset({"imgur.com"}),
    "twitch-video": frozenset({"player.twitch.tv"}),
    "miro": frozenset({"miro.com"}),
    "github": frozenset({"gist.github.com"}),
}
IFRAME_SANDBOX = "allow-scripts allow-same-origin allow-popups"

_INLINE_TAGS = frozenset({"b", "i", "u", "s", "a", "mark", "code", "br"})
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_LINK_REL = "noopener noreferrer nofollow"
# Dropping only the tag would leave e.g. a script's source behind as visible text.
_DROP_WITH_CONTENT = frozenset({"script", "style", "iframe", "noscript", "template"})

# Browsers silently drop tabs and newlines inside URLs ("java\tscript:") and treat "\" like "/" in
# http(s) URLs, which would let a URL look like one host to us and load another; no valid URL needs them.
_UNSAFE_URL_CHARS = re.compile(r"[\x00-\x20\x7f\\]")

_CLEANER = nh3.Cleaner(
    tags=set(_INLINE_TAGS),
    clean_content_tags=set(_DROP_WITH_CONTENT),
    # "*" must be given explicitly: nh3 otherwise allows "title" and "lang" on every tag.
    attributes={"*": set(), "a": {"href"}},
    url_schemes=set(_LINK_SCHEMES),
    link_rel=_LINK_REL,
    strip_comments=True,
)
# A tag as the cleaner writes it: lowercase name, attribute values double-quoted with '"' escaped. Its
# output has no other "<": a "<" in text is written as "&lt;".
_CLEAN_TAG = re.compile(r'</?[a-z]+(?: [a-z-]+="[^"]*")*>')


def clean_inline(text: str) -> str:
    """User-supplied inline HTML reduced to the inline allow-list (the one sanitizing pass per string)."""
    # Without "<" there is no tag, and without "&" no character reference that could spell one: such text is
    # already within the allow-list, and plain text (most strings) costs no nh3 call.
    if "<" not in text and "&" not in text:
        return text
    return _CLEANER.clean(text)


def text_of_clean(text: str) -> str:
    """The plain text of inline HTML returned by `clean_inline`; <br> becomes a newline."""
    if "<" not in text and "&" not in text:
        return text
    return html.unescape(_CLEAN_TAG.sub("", text.replace("<br>", "\n")))


def is_allowed_url(url: str, schemes: Collection[str], hosts: Collection[str] | None = None) -> bool:
    """True for an absolute URL with one of `schemes`, a host (one of `hosts`, when given), no credentials."""
    if _UNSAFE_URL_CHARS.search(url):
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme in schemes and bool(host) and "@" not in parts.netloc and (hosts is None or host in hosts)
