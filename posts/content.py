"""Editor.js documents: validation and sanitizing (`parse_document`), output (`render_html`, `plain_text`).

Pure Python with no Django dependency: callers pass limits (e.g. from settings) as keyword arguments.

Inline HTML in text fields is sanitized once, by `parse_document`: the `Document` it returns holds no markup
outside the inline allow-list (so it can be stored and handed to an editor as is), and `render_html` and
`plain_text` use its text without sanitizing it again.

Error locations are paths into the submitted JSON: top-level fields by name ("blocks", "time"), blocks as
"blocks[3]", their fields as "blocks[3].data.items[1].content"; problems with the document as a whole
(not JSON, not an object, too large, too much work, too many errors) are reported under "document".
"""

from __future__ import annotations

import copy
import html
import json
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import nh3

__all__ = ["ContentError", "Document", "parse_document", "plain_text", "render_html"]

_DOCUMENT = "document"

_MAX_ERRORS = 50
_MAX_JSON_DEPTH = 64
_MAX_LIST_DEPTH = 10
_MAX_ID_LENGTH = 64
_MAX_TABLE_ROWS = 500
_MAX_TABLE_COLUMNS = 50
_MAX_EMBED_DIMENSION = 10_000

_DOCUMENT_KEYS = frozenset({"time", "blocks", "version"})
_BLOCK_KEYS = frozenset({"id", "type", "data", "tunes"})
_LIST_STYLES = ("ordered", "unordered", "checklist")
_QUOTE_ALIGNMENTS = ("left", "center")
# Editor.js list counter types mapped onto the <ol type> values that express them without CSS.
_COUNTER_TYPES = {"numeric": "1", "lower-roman": "i", "upper-roman": "I", "lower-alpha": "a", "upper-alpha": "A"}
_IMAGE_FLAGS = (
    ("withBorder", "image-with-border"),
    ("withBackground", "image-with-background"),
    ("stretched", "image-stretched"),
)

_WEB_SCHEMES = frozenset({"http", "https"})
_HTTPS = frozenset({"https"})
_EMBED_HOSTS: dict[str, frozenset[str]] = {
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
_IFRAME_SANDBOX = "allow-scripts allow-same-origin allow-popups"

_INLINE_TAGS = frozenset({"b", "i", "u", "s", "a", "mark", "code", "br"})
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_LINK_REL = "noopener noreferrer nofollow"
# Dropping only the tag would leave e.g. a script's source behind as visible text.
_DROP_WITH_CONTENT = frozenset({"script", "style", "iframe", "noscript", "template"})

# Browsers silently drop tabs and newlines inside URLs ("java\tscript:") and treat "\" like "/" in
# http(s) URLs, which would let a URL look like one host to us and load another; no valid URL needs them.
_UNSAFE_URL_CHARS = re.compile(r"[\x00-\x20\x7f\\]")
# PostgreSQL cannot store NUL, and nh3 cannot encode lone surrogates.
_UNSTORABLE_CHARS = re.compile("[\x00\ud800-\udfff]")


class ContentError(ValueError):
    """Raised by `parse_document` for an invalid document.

    `.errors` maps a location (see the module docstring) to a list of messages, e.g.
    {"blocks[3].data.level": ["Must be an integer from 1 to 6."], "blocks[5].type": ["Unknown block type 'foo'."]}.
    str(exc) is a one-line summary.
    """

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__(_summarize(errors))


class Document(dict):
    """A document as `parse_document` returns it: a plain JSON-serializable dict whose inline-HTML text fields
    are already reduced to the inline allow-list.

    `render_html` and `plain_text` use the text of a `Document` as it is, and sanitize the text of any other
    dict first (e.g. a document read back from storage). Treat it as read-only.
    """


def parse_document(
    value: str | dict[str, Any] | None,
    *,
    max_bytes: int = 512 * 1024,
    max_blocks: int = 500,
    max_string_length: int = 100_000,
    max_table_cells: int = 3_000,
    max_list_items: int = 500,
    max_text_length: int = 200_000,
    max_markup: int = 2_000,
    max_field_markup: int = 500,
    max_values: int = 20_000,
    limit_names: Mapping[str, str] | None = None,
) -> Document:
    """Validate an Editor.js document given as a JSON string or an already-decoded dict, and sanitize its
    inline HTML.

    None or a blank string is the empty document {"blocks": []}. The limits bound the work a document costs:
    `max_bytes` applies to the UTF-8 JSON encoding, `max_string_length` to every string anywhere in the
    document, `max_values` to the JSON values anywhere in it (objects, arrays, strings, numbers, booleans and
    nulls, the document itself, tunes and ignored fields included), `max_table_cells` and `max_list_items`
    (nested and checklist items included) to the whole document, and over its inline-HTML text fields,
    `max_text_length` to their total length, `max_markup` to their total markup characters ("<", "&" and
    no-break spaces) and `max_field_markup` to those of each one. `limit_names` maps these keyword names to
    how messages should name the limit, e.g. {"max_blocks": "POLYCMS_POSTS['CONTENT_MAX_BLOCKS']"}. Counts
    are checked before any text is sanitized.
    All problems are collected (up to 50) and raised together as one `ContentError`.

    Returns a new, normalized `Document`: "blocks" (always), plus "time" and "version" when given. Each block
    keeps "id", "type", "data" and "tunes" (kept as given); block data keeps only the fields this module knows,
    with defaults filled in (list "style" = "unordered", list item "items" = [] and "meta" = {}, checklist
    "checked" = false). Inline HTML in text fields is reduced to the allow-list `render_html` describes;
    code is plain text and kept as given. Parsing a returned document again returns an equal one.
    """
    limits = _Limits(
        max_bytes=max_bytes,
        max_blocks=max_blocks,
        max_string_length=max_string_length,
        max_table_cells=max_table_cells,
        max_list_items=max_list_items,
        max_text_length=max_text_length,
        max_markup=max_markup,
        max_field_markup=max_field_markup,
        max_values=max_values,
        names=dict(limit_names or {}),
    )
    if value is None or (isinstance(value, str) and not value.strip()):
        return Document(blocks=[])
    document = _load_json(value, limits)
    check = _Check(limits)
    normalized: dict[str, Any] = {}
    try:
        normalized = _validate_document(document, check)
    except _TooManyErrors:
        check.found.setdefault(_DOCUMENT, []).append(f"Too many errors; only the first {_MAX_ERRORS} are reported.")
    if check.found:
        raise ContentError(check.found)
    for block in normalized["blocks"]:
        if "tunes" in block:
            # Kept as given, so copied: the caller's data is never shared. Only now is its depth known to be
            # within _MAX_JSON_DEPTH.
            block["tunes"] = _copy_json(block["tunes"])
    return _sanitize(normalized)


def render_html(document: dict[str, Any]) -> str:
    """Render a document returned by `parse_document` to sanitized HTML; blocks are joined with "\n".

    The output is deterministic. Inline markup in text fields is reduced to b, i, u, s, mark, code, br and
    a (http, https, mailto or relative href only, always with rel="noopener noreferrer nofollow"): by
    `parse_document` for a `Document`, here for any other dict. Blocks of unknown type, and images or embeds
    whose URL fails the render-time re-check, are skipped.
    """
    rendered = (_render_block(block) for block in _trusted(document).get("blocks", []))
    return "\n".join(part for part in rendered if part)


def plain_text(document: dict[str, Any]) -> str:
    """Return the text of a document returned by `parse_document`, without markup (for search indexing).

    Blocks are separated by newlines, as are list items and table rows; table cells by tabs.
    """
    texts = (_block_text(block) for block in _trusted(document).get("blocks", []))
    return "\n".join(text for text in texts if text)


# --- Sanitizer: the inline allow-list and the URL policy --------------------------------------------------

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


def _clean_inline(text: str) -> str:
    """User-supplied inline HTML reduced to the inline allow-list (the one sanitizing pass per string)."""
    # Without "<" there is no tag, and without "&" no character reference that could spell one: such text is
    # already within the allow-list, and plain text (most strings) costs no nh3 call.
    if "<" not in text and "&" not in text:
        return text
    return _CLEANER.clean(text)


def _text_of_clean(text: str) -> str:
    """The plain text of inline HTML returned by `_clean_inline`; <br> becomes a newline."""
    if "<" not in text and "&" not in text:
        return text
    return html.unescape(_CLEAN_TAG.sub("", text.replace("<br>", "\n")))


def _is_allowed_url(url: str, schemes: Collection[str], hosts: Collection[str] | None = None) -> bool:
    """True for an absolute URL with one of `schemes`, a host (one of `hosts`, when given), no credentials."""
    if _UNSAFE_URL_CHARS.search(url):
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme in schemes and bool(host) and "@" not in parts.netloc and (hosts is None or host in hosts)


def _sanitize(document: dict[str, Any]) -> Document:
    """Sanitize the text of `document`'s blocks in place (blocks of unknown type are left alone); return it
    as a `Document`."""
    for block in document.get("blocks", []):
        kind = _BLOCK_TYPES.get(block.get("type"))
        if kind is not None:
            kind.clean(block["data"], _clean_inline)
    return Document(document)


def _trusted(document: dict[str, Any]) -> Document:
    """`document` when it is a `Document`, else a sanitized copy (the caller's dict is left as it is)."""
    return document if isinstance(document, Document) else _sanitize(copy.deepcopy(document))


# --- Limits and errors ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Limits:
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


class _TooManyErrors(Exception):
    """Stops validation once `_MAX_ERRORS` problems have been recorded."""


class _Check:
    """The problems found in one document so far, and the work its inline-HTML text will cost to sanitize."""

    def __init__(self, limits: _Limits) -> None:
        self.limits = limits
        self.found: dict[str, list[str]] = {}
        self._count = 0
        self.text_length = 0
        self.markup = 0

    def add(self, location: str, message: str) -> None:
        if self._count == _MAX_ERRORS:
            raise _TooManyErrors
        self.found.setdefault(location, []).append(message)
        self._count += 1

    def tally(self, text: str) -> str | None:
        """Count inline-HTML `text` towards the document's totals; return the problem when the field alone is
        over its limit (the caller knows where it is)."""
        # Markup characters are what make sanitizing expensive: "<" opens a tag (nested tags cost nh3 time
        # quadratic in their number), "&" starts a character reference, and nh3 rewrites a no-break space as
        # "&nbsp;"; long runs of the last two in one string also cost it more than linear time.
        markup = text.count("<") + text.count("&") + text.count("\xa0")
        self.text_length += len(text)
        self.markup += markup
        if markup <= self.limits.max_field_markup:
            return None
        return (
            f"Must have at most {self.limits.maximum('max_field_markup')} markup characters"
            f" ('<', '&' or no-break spaces); it has {markup}."
        )


def _summarize(errors: dict[str, list[str]]) -> str:
    count = sum(len(messages) for messages in errors.values())
    if not count:
        return "Invalid content."
    location, messages = next((loc, msgs) for loc, msgs in errors.items() if msgs)
    summary = f"Invalid content: {location}: {messages[0]}"
    return summary if count == 1 else f"{summary} (and {count - 1} more)"


def _document_error(message: str) -> ContentError:
    return ContentError({_DOCUMENT: [message]})


def _kib(size: int) -> str:
    return f"{size // 1024} KiB" if size % 1024 == 0 else f"{size / 1024:.1f} KiB"


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- Decoding ---------------------------------------------------------------------------------------


def _load_json(value: Any, limits: _Limits) -> Any:
    """Decode `value` (JSON text, or JSON-like Python data), enforcing `max_bytes`.

    Decoded data is returned as is: validation builds the document anew from it, and `parse_document`
    copies what it keeps as given, so the caller's data is never changed or shared.
    """
    if isinstance(value, str):
        text = value
    else:
        # Encoding measures the size the same way for both inputs and proves the data is JSON.
        try:
            text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        except RecursionError:
            raise _document_error("Content is nested too deeply.") from None
        except (TypeError, ValueError):
            raise _document_error("Content must be JSON data.") from None
    if len(text.encode("utf-8", "surrogatepass")) > limits.max_bytes:
        name = limits.names.get("max_bytes")
        raise _document_error(
            f"Content exceeds the maximum size of {_kib(limits.max_bytes)}{f' ({name})' if name else ''}."
        )
    if not isinstance(value, str):
        return value
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise _document_error("Content is nested too deeply.") from None
    except ValueError as exc:
        raise _document_error(f"Content is not valid JSON ({exc}).") from None


def _copy_json(value: Any) -> Any:
    """A deep copy of decoded JSON data (dicts, lists and immutable scalars), several times faster than
    `copy.deepcopy` for the small objects documents are made of."""
    if isinstance(value, dict):
        return {key: _copy_json(child) for key, child in value.items()}
    if isinstance(value, list):
        return [_copy_json(child) for child in value]
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


# --- Validation helpers ---------------------------------------------------------------------------------

_REQUIRED: Any = object()


class _Fields:
    """Typed reads of one JSON object's fields; problems are recorded at "<at>.<key>".

    Each reader returns the value, or `default` when the key is absent (recording "required" when there is
    no default), or None after recording a problem with the value.
    """

    def __init__(self, data: dict[str, Any], at: str, errors: _Check) -> None:
        self.data = data
        self.at = at
        self.errors = errors

    def path(self, key: str) -> str:
        return f"{self.at}.{key}" if self.at else key

    def reject_unknown(self, allowed: Collection[str]) -> None:
        for key in self.data:
            if key not in allowed:
                self.errors.add(self.path(key), "Unknown field.")

    def _read(self, key: str, default: Any, is_valid: Callable[[Any], bool], message: str) -> Any:
        if key not in self.data:
            if default is _REQUIRED:
                self.errors.add(self.path(key), "This field is required.")
                return None
            return default
        value = self.data[key]
        if is_valid(value):
            return value
        self.errors.add(self.path(key), message)
        return None

    def string(self, key: str, default: Any = _REQUIRED, *, max_length: int | None = None) -> str | None:
        value = self._read(key, default, lambda v: isinstance(v, str), "Must be a string.")
        if max_length is not None and value is not None and len(value) > max_length:
            self.errors.add(self.path(key), f"Must be at most {max_length} characters long.")
            return None
        return value

    def text(self, key: str, default: Any = _REQUIRED) -> str | None:
        """A string of inline HTML: counted towards the work limits, sanitized once validation is done."""
        value = self.string(key, default)
        if value is not None and (problem := self.errors.tally(value)) is not None:
            self.errors.add(self.path(key), problem)
        return value

    def boolean(self, key: str, default: Any = _REQUIRED) -> bool | None:
        return self._read(key, default, lambda v: isinstance(v, bool), "Must be true or false.")

    def integer(
        self, key: str, default: Any = _REQUIRED, *, low: int | None = None, high: int | None = None
    ) -> int | None:
        def is_valid(value: Any) -> bool:
            # bool is a subclass of int, but true/false is not a number in JSON.
            return (
                isinstance(value, int)
                and not isinstance(value, bool)
                and (low is None or value >= low)
                and (high is None or value <= high)
            )

        if low is not None and high is not None:
            message = f"Must be an integer from {low} to {high}."
        elif low is not None:
            message = f"Must be an integer of at least {low}."
        else:
            message = "Must be an integer."
        return self._read(key, default, is_valid, message)

    def choice(self, key: str, choices: tuple[str, ...], default: Any = _REQUIRED) -> str | None:
        message = "Must be one of " + ", ".join(f'"{choice}"' for choice in choices) + "."
        return self._read(key, default, lambda v: isinstance(v, str) and v in choices, message)

    def array(self, key: str, default: Any = _REQUIRED, *, max_items: int | None = None) -> list[Any] | None:
        value = self._read(key, default, lambda v: isinstance(v, list), "Must be an array.")
        if max_items is not None and value is not None and len(value) > max_items:
            self.errors.add(self.path(key), f"Must have at most {max_items} items.")
            return None
        return value

    def nested(self, key: str, default: Any = _REQUIRED) -> _Fields | None:
        value = self._read(key, default, lambda v: isinstance(v, dict), "Must be an object.")
        return _Fields(value, self.path(key), self.errors) if isinstance(value, dict) else None

    def url(
        self, key: str, schemes: frozenset[str], hosts: Collection[str] | None = None, default: Any = _REQUIRED
    ) -> str | None:
        value = self.string(key, default)
        if value is None or _is_allowed_url(value, schemes, hosts):
            return value
        scheme = "an https" if schemes == _HTTPS else "an http or https"
        where = f" on {', '.join(sorted(hosts))}" if hosts is not None else ""
        self.errors.add(self.path(key), f"Must be {scheme} URL{where}.")
        return None


def _as_object(value: Any, at: str, errors: _Check, message: str = "Must be an object.") -> _Fields | None:
    if isinstance(value, dict):
        return _Fields(value, at, errors)
    errors.add(at, message)
    return None


def _compact(fields: dict[str, Any]) -> dict[str, Any]:
    """Drop absent optional fields (and fields that failed validation, which are reported anyway)."""
    return {key: value for key, value in fields.items() if value is not None}


def _child_path(location: str, key: str) -> str:
    return f"{location}.{key}" if location else key


def _walk(document: Any) -> Iterator[tuple[str, Any, int]]:
    """Yield (location, value, depth) for every value in document order, without recursion."""
    stack: list[tuple[str, Any, int]] = [("", document, 0)]
    while stack:
        location, node, depth = stack.pop()
        yield location, node, depth
        if depth >= _MAX_JSON_DEPTH:
            continue
        if isinstance(node, dict):
            children = [(_child_path(location, key), child) for key, child in node.items()]
        elif isinstance(node, list):
            children = [(f"{location}[{index}]", child) for index, child in enumerate(node)]
        else:
            continue
        stack.extend((path, child, depth + 1) for path, child in reversed(children))


def _string_problems(text: str, limits: _Limits) -> list[str]:
    problems = []
    if len(text) > limits.max_string_length:
        problems.append(f"Must be at most {limits.maximum('max_string_length')} characters long.")
    if _UNSTORABLE_CHARS.search(text):
        problems.append("Must not contain NUL characters or unpaired surrogates.")
    return problems


def _scan(node: dict[str, Any] | list[Any], max_string_length: int, budget: list[int], depth: int = 0) -> bool:
    """Whether `_check_strings_and_depth` would find anything below `node`, or its values exhaust `budget` (a
    one-item list, counted down): the same checks without building locations, stopping at the first problem.
    Recursion is bounded by `_MAX_JSON_DEPTH`."""
    if depth >= _MAX_JSON_DEPTH:
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
            and (value or depth + 1 >= _MAX_JSON_DEPTH)
            and _scan(value, max_string_length, budget, depth + 1)
        ):
            return True
    return False


def _check_values_strings_and_depth(document: dict[str, Any], check: _Check) -> bool:
    """Apply the limits that hold everywhere, including in fields that are kept as given or ignored. False
    when the document has too many values to be looked at any further."""
    if not _scan(document, check.limits.max_string_length, [check.limits.max_values - 1]):
        return True
    for count, (location, node, depth) in enumerate(_walk(document), start=1):
        if count > check.limits.max_values:
            check.add(_DOCUMENT, f"The document has more than {check.limits.maximum('max_values')} JSON values.")
            return False
        if isinstance(node, str):
            for problem in _string_problems(node, check.limits):
                check.add(location, problem)
        elif isinstance(node, dict | list) and depth >= _MAX_JSON_DEPTH:
            check.add(location, "Content is nested too deeply.")
        elif isinstance(node, dict):
            # Field names are stored too, so they need the same limits as values.
            for key in node:
                for problem in _string_problems(key, check.limits):
                    check.add(_child_path(location, key), f"Field name: {problem}")
    return True


# --- Work limits ------------------------------------------------------------------------------------------


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


def _check_counts(blocks: list[Any], check: _Check) -> None:
    limits = check.limits
    cells, items = _count_cells_and_items(blocks)
    if cells > limits.max_table_cells:
        check.add(
            _DOCUMENT,
            f"The document has {cells} table cells; the maximum is {limits.maximum('max_table_cells')}.",
        )
    if items > limits.max_list_items:
        check.add(
            _DOCUMENT,
            f"The document has {items} list items (nested and checklist items included); the maximum is "
            f"{limits.maximum('max_list_items')}.",
        )


def _check_text_totals(check: _Check) -> None:
    limits = check.limits
    if check.text_length > limits.max_text_length:
        check.add(
            _DOCUMENT,
            f"The document has {check.text_length} characters of text; the maximum is "
            f"{limits.maximum('max_text_length')}.",
        )
    if check.markup > limits.max_markup:
        check.add(
            _DOCUMENT,
            f"The document has {check.markup} markup characters ('<', '&' or no-break spaces) in its text; "
            f"the maximum is {limits.maximum('max_markup')}.",
        )


# --- Document and block validation ------------------------------------------------------------------


def _validate_document(document: Any, check: _Check) -> dict[str, Any]:
    """The normalized document, its text not yet sanitized; problems are recorded in `check`. The cheapest
    checks come first: a document over a count limit is refused without looking at its strings, one with
    too many values without validating its blocks."""
    if not isinstance(document, dict):
        check.add(_DOCUMENT, 'Content must be a JSON object with a "blocks" array.')
        return {}
    root = _Fields(document, "", check)
    blocks = root.array("blocks")
    if blocks is not None and len(blocks) > check.limits.max_blocks:
        check.add("blocks", f"Too many blocks ({len(blocks)}); the maximum is {check.limits.maximum('max_blocks')}.")
        return {}
    if blocks is not None:
        _check_counts(blocks, check)
        if check.found:
            return {}
    if not _check_values_strings_and_depth(document, check):
        return {}
    root.reject_unknown(_DOCUMENT_KEYS)
    time = root.integer("time", None, low=0)
    version = root.string("version", None)
    if blocks is None:
        return {}
    validated = [_validate_block(block, f"blocks[{index}]", check) for index, block in enumerate(blocks)]
    _check_text_totals(check)
    return _compact({"time": time, "blocks": validated, "version": version})


def _validate_block(value: Any, at: str, errors: _Check) -> dict[str, Any]:
    block = _as_object(value, at, errors)
    if block is None:
        return {}
    block.reject_unknown(_BLOCK_KEYS)
    block_id = block.string("id", None, max_length=_MAX_ID_LENGTH)
    block_type = block.string("type")
    data = block.nested("data")
    tunes = block.nested("tunes", None)
    kind = _BLOCK_TYPES.get(block_type) if block_type is not None else None
    if block_type is not None and kind is None:
        errors.add(block.path("type"), f"Unknown block type {_shorten(block_type)!r}.")
    return _compact(
        {
            "id": block_id,
            "type": block_type,
            "data": kind.validate(data) if kind is not None and data is not None else None,
            "tunes": tunes.data if tunes is not None else None,
        }
    )


def _validate_text(data: _Fields) -> dict[str, Any]:
    return _compact({"text": data.text("text")})


def _validate_header(data: _Fields) -> dict[str, Any]:
    return _compact({"text": data.text("text"), "level": data.integer("level", low=1, high=6)})


def _validate_list(data: _Fields) -> dict[str, Any]:
    style = data.choice("style", _LIST_STYLES, "unordered")
    meta = data.nested("meta", None)
    items = data.array("items")
    return _compact(
        {
            "style": style,
            "meta": _validate_list_meta(meta) if meta is not None else None,
            "items": _validate_list_items(items, data.path("items"), data.errors) if items is not None else None,
        }
    )


def _validate_list_meta(meta: _Fields) -> dict[str, Any]:
    return _compact({"start": meta.integer("start", None), "counterType": meta.string("counterType", None)})


def _validate_list_items(items: list[Any], at: str, errors: _Check, depth: int = 1) -> list[Any]:
    # @editorjs/list v1 stored plain strings; v2 stores nestable {content, items, meta} objects.
    if depth == 1 and items and isinstance(items[0], str):
        for index, item in enumerate(items):
            if isinstance(item, str):
                if (problem := errors.tally(item)) is not None:
                    errors.add(f"{at}[{index}]", problem)
            else:
                errors.add(f"{at}[{index}]", "Must be a string, like the first item.")
        return list(items)
    validated = []
    for index, value in enumerate(items):
        item = _as_object(value, f"{at}[{index}]", errors, 'Must be an object with "content" and "items".')
        if item is None:
            continue
        content = item.text("content")
        meta = item.nested("meta", None)
        children = item.array("items", [])
        if children and depth >= _MAX_LIST_DEPTH:
            errors.add(item.path("items"), f"Lists may be nested at most {_MAX_LIST_DEPTH} levels deep.")
            children = []
        elif children:
            children = _validate_list_items(children, item.path("items"), errors, depth + 1)
        validated.append(
            {
                "content": content,
                "meta": _compact({"checked": meta.boolean("checked", None)}) if meta is not None else {},
                "items": children or [],
            }
        )
    return validated


def _validate_checklist(data: _Fields) -> dict[str, Any]:
    items = data.array("items")
    if items is None:
        return {}
    validated = []
    for index, value in enumerate(items):
        item = _as_object(value, f"{data.path('items')}[{index}]", data.errors)
        if item is not None:
            validated.append({"text": item.text("text"), "checked": item.boolean("checked", False)})
    return {"items": validated}


def _validate_quote(data: _Fields) -> dict[str, Any]:
    return _compact(
        {
            "text": data.text("text"),
            "caption": data.text("caption", None),
            "alignment": data.choice("alignment", _QUOTE_ALIGNMENTS, None),
        }
    )


def _validate_code(data: _Fields) -> dict[str, Any]:
    return _compact({"code": data.string("code")})


def _validate_delimiter(data: _Fields) -> dict[str, Any]:
    return {}


def _validate_image(data: _Fields) -> dict[str, Any]:
    # The image tool stores {"file": {"url": ...}}; the simple-image tool stores {"url": ...}.
    if "file" in data.data and "url" in data.data:
        data.errors.add(data.at, 'Must have either "file" or "url", not both.')
        source: dict[str, Any] = {}
    elif "url" in data.data:
        source = {"url": data.url("url", _WEB_SCHEMES)}
    else:
        file = data.nested("file")
        source = {"file": _compact({"url": file.url("url", _WEB_SCHEMES)})} if file is not None else {}
    flags = {flag: data.boolean(flag, None) for flag, _ in _IMAGE_FLAGS}
    return _compact({**source, "caption": data.text("caption", None), **flags})


def _validate_table(data: _Fields) -> dict[str, Any]:
    with_headings = data.boolean("withHeadings", None)
    rows = data.array("content", max_items=_MAX_TABLE_ROWS)
    if rows is None:
        return {}
    for row_index, row in enumerate(rows):
        row_at = f"{data.path('content')}[{row_index}]"
        if not isinstance(row, list):
            data.errors.add(row_at, "Must be an array of cells.")
        elif len(row) > _MAX_TABLE_COLUMNS:
            data.errors.add(row_at, f"Must have at most {_MAX_TABLE_COLUMNS} cells.")
        else:
            for cell_index, cell in enumerate(row):
                if not isinstance(cell, str):
                    data.errors.add(f"{row_at}[{cell_index}]", "Must be a string.")
                elif (problem := data.errors.tally(cell)) is not None:
                    data.errors.add(f"{row_at}[{cell_index}]", problem)
    return _compact({"withHeadings": with_headings, "content": rows})


def _validate_embed(data: _Fields) -> dict[str, Any]:
    service = data.string("service")
    hosts = _EMBED_HOSTS.get(service) if service is not None else None
    if service is not None and hosts is None:
        data.errors.add(data.path("service"), f"Unsupported embed service {_shorten(service)!r}.")
    bounds = {"low": 1, "high": _MAX_EMBED_DIMENSION}
    return _compact(
        {
            "service": service,
            "source": data.url("source", _WEB_SCHEMES),
            "embed": data.url("embed", _HTTPS, hosts),
            "width": data.integer("width", None, **bounds),
            "height": data.integer("height", None, **bounds),
            "caption": data.text("caption", None),
        }
    )


def _validate_warning(data: _Fields) -> dict[str, Any]:
    return _compact({"title": data.text("title"), "message": data.text("message")})


# --- Text fields --------------------------------------------------------------------------------------
# Each applies `clean` in place to every inline-HTML text field of a block's (validated) data.

_Clean = Callable[[str], str]


def _clean_text(data: dict[str, Any], clean: _Clean) -> None:
    data["text"] = clean(data["text"])


def _clean_list(data: dict[str, Any], clean: _Clean) -> None:
    _clean_list_items(data["items"], clean)


def _clean_list_items(items: list[Any], clean: _Clean) -> None:
    for index, item in enumerate(items):
        if isinstance(item, str):
            items[index] = clean(item)
        else:
            item["content"] = clean(item["content"])
            if item.get("items"):
                _clean_list_items(item["items"], clean)


def _clean_checklist(data: dict[str, Any], clean: _Clean) -> None:
    for item in data["items"]:
        item["text"] = clean(item["text"])


def _clean_quote(data: dict[str, Any], clean: _Clean) -> None:
    data["text"] = clean(data["text"])
    _clean_caption(data, clean)


def _clean_caption(data: dict[str, Any], clean: _Clean) -> None:
    if "caption" in data:
        data["caption"] = clean(data["caption"])


def _clean_table(data: dict[str, Any], clean: _Clean) -> None:
    data["content"] = [[clean(cell) for cell in row] for row in data["content"]]


def _clean_warning(data: dict[str, Any], clean: _Clean) -> None:
    data["title"] = clean(data["title"])
    data["message"] = clean(data["message"])


def _clean_nothing(data: dict[str, Any], clean: _Clean) -> None:
    """Code is plain text (escaped when rendered); the other fields hold no text."""


# --- Rendering ------------------------------------------------------------------------------------------
# Text fields are already sanitized (see `_trusted`); everything else that reaches the output is escaped.


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _element(tag: str, inner: str) -> str:
    """`inner` wrapped in `tag`, or nothing when it is blank."""
    return f"<{tag}>{inner}</{tag}>" if inner.strip() else ""


def _render_block(block: dict[str, Any]) -> str:
    kind = _BLOCK_TYPES.get(block.get("type"))
    return kind.render(block["data"]) if kind is not None else ""


def _block_text(block: dict[str, Any]) -> str:
    kind = _BLOCK_TYPES.get(block.get("type"))
    return kind.text(block["data"]) if kind is not None else ""


def _render_paragraph(data: dict[str, Any]) -> str:
    return f"<p>{data['text']}</p>"


def _render_header(data: dict[str, Any]) -> str:
    level = int(data["level"])
    return f"<h{level}>{data['text']}</h{level}>"


def _render_list(data: dict[str, Any]) -> str:
    return _render_list_items(data["items"], data.get("style", "unordered"), data.get("meta", {}))


def _render_list_items(items: list[Any], style: str, meta: dict[str, Any]) -> str:
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
        nested = _render_list_items(children, style, {}) if children else ""
        rendered.append(f"<li{state}>{content}{nested}</li>")
    return opening + "".join(rendered) + closing


def _render_checklist(data: dict[str, Any]) -> str:
    items = [{"content": item["text"], "meta": {"checked": item["checked"]}} for item in data["items"]]
    return _render_list_items(items, "checklist", {})


def _render_quote(data: dict[str, Any]) -> str:
    footer = _element("footer", data.get("caption", ""))
    return f"<blockquote><p>{data['text']}</p>{footer}</blockquote>"


def _render_code(data: dict[str, Any]) -> str:
    return f"<pre><code>{html.escape(data['code'])}</code></pre>"


def _render_delimiter(data: dict[str, Any]) -> str:
    return "<hr>"


def _image_url(data: dict[str, Any]) -> str:
    return data["file"]["url"] if "file" in data else data["url"]


def _render_image(data: dict[str, Any]) -> str:
    url = _image_url(data)
    if not _is_allowed_url(url, _WEB_SCHEMES):
        return ""
    classes = " ".join(css_class for flag, css_class in _IMAGE_FLAGS if data.get(flag) is True)
    class_attr = f' class="{classes}"' if classes else ""
    caption = data.get("caption", "")
    return (
        f'<figure{class_attr}><img src="{_escape(url)}" alt="{_escape(_text_of_clean(caption))}">'
        f"{_element('figcaption', caption)}</figure>"
    )


def _render_table(data: dict[str, Any]) -> str:
    rows = data["content"]
    head = ""
    if data.get("withHeadings") is True and rows:
        head = f"<thead>{_render_row(rows[0], 'th')}</thead>"
        rows = rows[1:]
    body = f"<tbody>{''.join(_render_row(row, 'td') for row in rows)}</tbody>" if rows else ""
    return f"<table>{head}{body}</table>"


def _render_row(cells: list[str], tag: str) -> str:
    return "<tr>" + "".join(f"<{tag}>{cell}</{tag}>" for cell in cells) + "</tr>"


def _render_embed(data: dict[str, Any]) -> str:
    service, url = data["service"], data["embed"]
    hosts = _EMBED_HOSTS.get(service)
    if hosts is None or not _is_allowed_url(url, _HTTPS, hosts):
        return ""
    size = "".join(f' {name}="{int(data[name])}"' for name in ("width", "height") if name in data)
    iframe = (
        f'<iframe src="{_escape(url)}"{size} frameborder="0" allowfullscreen loading="lazy"'
        f' sandbox="{_IFRAME_SANDBOX}"></iframe>'
    )
    caption = _element("figcaption", data.get("caption", ""))
    return f'<figure class="embed embed-{_escape(service)}">{iframe}{caption}</figure>'


def _render_warning(data: dict[str, Any]) -> str:
    # The title is shown as plain text inside our own <strong>, so markup in it is dropped, not kept.
    title = _element("strong", _escape(_text_of_clean(data["title"])))
    return f'<aside class="warning">{title}{_element("p", data["message"])}</aside>'


# --- Plain text ---------------------------------------------------------------------------------------


def _lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


def _text_of_text(data: dict[str, Any]) -> str:
    return _text_of_clean(data["text"])


def _text_of_list(data: dict[str, Any]) -> str:
    return _lines(*_list_item_texts(data["items"]))


def _list_item_texts(items: list[Any]) -> Iterator[str]:
    for item in items:
        if isinstance(item, str):
            yield _text_of_clean(item)
        else:
            yield _text_of_clean(item["content"])
            yield from _list_item_texts(item.get("items", []))


def _text_of_checklist(data: dict[str, Any]) -> str:
    return _lines(*(_text_of_clean(item["text"]) for item in data["items"]))


def _text_of_quote(data: dict[str, Any]) -> str:
    return _lines(_text_of_clean(data["text"]), _text_of_clean(data.get("caption", "")))


def _text_of_code(data: dict[str, Any]) -> str:
    return data["code"]


def _text_of_delimiter(data: dict[str, Any]) -> str:
    return ""


def _text_of_caption(data: dict[str, Any]) -> str:
    return _text_of_clean(data.get("caption", ""))


def _text_of_table(data: dict[str, Any]) -> str:
    return _lines(*("\t".join(_text_of_clean(cell) for cell in row) for row in data["content"]))


def _text_of_warning(data: dict[str, Any]) -> str:
    return _lines(_text_of_clean(data["title"]), _text_of_clean(data["message"]))


# --- Block types ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _BlockType:
    validate: Callable[[_Fields], dict[str, Any]]
    clean: Callable[[dict[str, Any], _Clean], None]
    render: Callable[[dict[str, Any]], str]
    text: Callable[[dict[str, Any]], str]


_BLOCK_TYPES: dict[str, _BlockType] = {
    "paragraph": _BlockType(_validate_text, _clean_text, _render_paragraph, _text_of_text),
    "header": _BlockType(_validate_header, _clean_text, _render_header, _text_of_text),
    "list": _BlockType(_validate_list, _clean_list, _render_list, _text_of_list),
    "checklist": _BlockType(_validate_checklist, _clean_checklist, _render_checklist, _text_of_checklist),
    "quote": _BlockType(_validate_quote, _clean_quote, _render_quote, _text_of_quote),
    "code": _BlockType(_validate_code, _clean_nothing, _render_code, _text_of_code),
    "delimiter": _BlockType(_validate_delimiter, _clean_nothing, _render_delimiter, _text_of_delimiter),
    "image": _BlockType(_validate_image, _clean_caption, _render_image, _text_of_caption),
    "table": _BlockType(_validate_table, _clean_table, _render_table, _text_of_table),
    "embed": _BlockType(_validate_embed, _clean_caption, _render_embed, _text_of_caption),
    "warning": _BlockType(_validate_warning, _clean_warning, _render_warning, _text_of_warning),
}
