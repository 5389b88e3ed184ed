"""Conditional requests (RFC 9110 §13): the ``If-Match`` and ``If-None-Match`` headers, parsed strictly.

Django's ``parse_etags`` drops what it cannot read (``If-Match: 1-2`` becomes an empty list, so a request
naming the current version fails as if it were stale) and splits a tag at its commas. Here a malformed
header is a 400 that shows the expected form, never a precondition silently changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from api.exceptions import ParseError, PreconditionFailed

# One list element (RFC 9110 §5.6.1, §8.8.3): an optional entity-tag, then a comma or the end. Empty
# elements are allowed between commas, as recipients must accept them.
_ELEMENT = re.compile(r'[ \t]*(?:(W/)?("[\x21\x23-\x7e\x80-\xff]*"))?[ \t]*(,|\Z)')

MALFORMED = (
    "Malformed If-Match header: send the ETag header of your last read as it came, quotes included "
    '(If-Match: "12-3"), a comma-separated list of such ETags, or * for any current version.'
)
MALFORMED_NONE_MATCH = (
    "Malformed If-None-Match header: send the ETag header of the response you cached as it came, quotes "
    'included (If-None-Match: "12-3" or W/"…"), a comma-separated list of such ETags, or *.'
)
WEAK_ONLY = (
    "If-Match compares ETags strongly, so a weak one (W/...) never matches: send the ETag header of your "
    'last read as it came (If-Match: "12-3").'
)


@dataclass(frozen=True)
class EntityTag:
    """An entity-tag: ``opaque`` is the quoted tag (``"12-3"``), ``weak`` whether it had ``W/``."""

    opaque: str
    weak: bool = False


@dataclass(frozen=True)
class IfMatch:
    """A parsed ``If-Match``: ``*`` (``any_version``) or the entity-tags it lists."""

    tags: tuple[EntityTag, ...] = ()
    any_version: bool = False

    def matches(self, etag: str) -> bool:
        """Whether a current representation whose strong ETag is ``etag`` (``"12-3"``) passes: ``*``, or a
        listed tag equal to it by strong comparison (§8.8.3.2: a weak tag never matches)."""
        return self.any_version or any(not tag.weak and tag.opaque == etag for tag in self.tags)

    @property
    def can_match(self) -> bool:
        """False when it lists only weak tags: then it matches no state of any resource."""
        return self.any_version or not all(tag.weak for tag in self.tags)


@dataclass(frozen=True)
class IfNoneMatch:
    """A parsed ``If-None-Match``: ``*`` (``any_version``) or the entity-tags it lists."""

    tags: tuple[EntityTag, ...] = ()
    any_version: bool = False

    def matches(self, etag: str) -> bool:
        """Whether the current representation, whose ETag is ``etag`` (``"12-3"`` or ``W/"…"``), is one the
        client holds: ``*`` (it exists), or a listed tag equal to it by weak comparison (§8.8.3.2: the
        opaque tags are equal, ``W/`` or not), as §13.1.2 requires for this header."""
        opaque = etag.removeprefix("W/")
        return self.any_version or any(tag.opaque == opaque for tag in self.tags)


def if_match_precondition(value: str | None) -> IfMatch | None:
    """``parse_if_match``, and ``PreconditionFailed`` (412) at once, saying why, when it lists only weak tags."""
    if_match = parse_if_match(value)
    if if_match is not None and not if_match.can_match:
        raise PreconditionFailed(WEAK_ONLY)
    return if_match


def parse_if_match(value: str | None) -> IfMatch | None:
    """The ``If-Match`` header ``value`` parsed; None when there is none. ``ParseError`` (400) when malformed,
    an empty value included."""
    if value is None:
        return None
    if value.strip(" \t") == "*":
        return IfMatch(any_version=True)
    return IfMatch(_entity_tags(value, MALFORMED))


def parse_if_none_match(value: str | None) -> IfNoneMatch | None:
    """The ``If-None-Match`` header ``value`` parsed; None when there is none. ``ParseError`` (400) when
    malformed, an empty value included, as for ``If-Match``: the client's bug is shown, not answered with a
    full response that hides it."""
    if value is None:
        return None
    if value.strip(" \t") == "*":
        return IfNoneMatch(any_version=True)
    return IfNoneMatch(_entity_tags(value, MALFORMED_NONE_MATCH))


def _entity_tags(value: str, malformed: str) -> tuple[EntityTag, ...]:
    """The entity-tags of a ``#entity-tag`` list (§8.8.3); ``ParseError(malformed)`` unless well formed."""
    tags = []
    position = 0
    while True:
        element = _ELEMENT.match(value, position)
        if element is None:
            raise ParseError(malformed)
        weak, opaque, separator = element.groups()
        if opaque is not None:
            tags.append(EntityTag(opaque, weak=weak is not None))
        if not separator:
            break
        position = element.end()
    if not tags:  # an empty list matches nothing: a client bug (an unset variable), not a precondition
        raise ParseError(malformed)
    return tuple(tags)
