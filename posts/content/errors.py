"""Where problems are reported and how they are collected: locations, `Check` and `ContentError`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from posts.content.limits import Limits

# The location of problems with the document as a whole.
DOCUMENT = "document"
MAX_ERRORS = 50


class ContentError(ValueError):
    """Raised by `parse_document` for an invalid document.

    `.errors` maps a location (see the `posts.content` docstring) to a list of messages, e.g.
    {"blocks[3].data.level": ["Must be an integer from 1 to 6."], "blocks[5].data.text": ["This field is required."]}.
    str(exc) is a one-line summary.
    """

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__(_summarize(errors))


class TooManyErrors(Exception):
    """Stops validation once `MAX_ERRORS` problems have been recorded."""


class Check:
    """The problems found in one document so far, and the work its inline-HTML text will cost to sanitize
    (counted by `posts.content.limits.tally`)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.found: dict[str, list[str]] = {}
        self._count = 0
        self.text_length = 0
        self.markup = 0

    def add(self, location: str, message: str) -> None:
        if self._count == MAX_ERRORS:
            raise TooManyErrors
        self.found.setdefault(location, []).append(message)
        self._count += 1


def child_path(location: str, key: str) -> str:
    """The location of field `key` of the object at `location` ("" for the document itself)."""
    return f"{location}.{key}" if location else key


def document_error(message: str) -> ContentError:
    return ContentError({DOCUMENT: [message]})


def shorten(text: str, limit: int = 40) -> str:
    """User-supplied `text` cut short enough to quote in a message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _summarize(errors: dict[str, list[str]]) -> str:
    count = sum(len(messages) for messages in errors.values())
    if not count:
        return "Invalid content."
    location, messages = next((loc, msgs) for loc, msgs in errors.items() if msgs)
    summary = f"Invalid content: {location}: {messages[0]}"
    return summary if count == 1 else f"{summary} (and {count - 1} more)"
