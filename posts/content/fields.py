"""`Fields`: typed reads of one JSON object's fields, each problem recorded at its location in a `Check`."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from posts.content.errors import Check, child_path
from posts.content.limits import tally
from posts.content.sanitizer import HTTPS, is_allowed_url

_REQUIRED: Any = object()


class Fields:
    """Typed reads of one JSON object's fields; problems are recorded at "<at>.<key>".

    Each reader returns the value, or `default` when the key is absent (recording "required" when there is
    no default), or None after recording a problem with the value.
    """

    def __init__(self, data: dict[str, Any], at: str, errors: Check) -> None:
        self.data = data
        self.at = at
        self.errors = errors

    def path(self, key: str) -> str:
        return child_path(self.at, key)

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

    def _at_most(self, key: str, value: Any, maximum: int, message: str) -> Any:
        """`value`, or None after recording `message` (formatted with `maximum`) when it is longer than that."""
        if value is not None and len(value) > maximum:
            self.errors.add(self.path(key), message.format(maximum))
            return None
        return value

    def string(self, key: str, default: Any = _REQUIRED, *, max_length: int | None = None) -> str | None:
        value = self._read(key, default, lambda v: isinstance(v, str), "Must be a string.")
        if max_length is not None:
            value = self._at_most(key, value, max_length, "Must be at most {} characters long.")
        return value

    def text(self, key: str, default: Any = _REQUIRED) -> str | None:
        """A string of inline HTML: counted towards the work limits, sanitized once validation is done."""
        value = self.string(key, default)
        if value is not None and (problem := tally(self.errors, value)) is not None:
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
        if max_items is not None:
            value = self._at_most(key, value, max_items, "Must have at most {} items.")
        return value

    def nested(self, key: str, default: Any = _REQUIRED) -> Fields | None:
        value = self._read(key, default, lambda v: isinstance(v, dict), "Must be an object.")
        return Fields(value, self.path(key), self.errors) if isinstance(value, dict) else None

    def url(
        self, key: str, schemes: frozenset[str], hosts: Collection[str] | None = None, default: Any = _REQUIRED
    ) -> str | None:
        value = self.string(key, default)
        if value is None or is_allowed_url(value, schemes, hosts):
            return value
        scheme = "an https" if schemes == HTTPS else "an http or https"
        where = f" on {', '.join(sorted(hosts))}" if hosts is not None else ""
        self.errors.add(self.path(key), f"Must be {scheme} URL{where}.")
        return None


def as_object(value: Any, at: str, errors: Check, message: str = "Must be an object.") -> Fields | None:
    """`Fields` of `value` when it is an object; otherwise None, after recording `message` at `at`."""
    if isinstance(value, dict):
        return Fields(value, at, errors)
    errors.add(at, message)
    return None


def compact(fields: dict[str, Any]) -> dict[str, Any]:
    """Drop absent optional fields (and fields that failed validation, which are reported anyway)."""
    return {key: value for key, value in fields.items() if value is not None}
