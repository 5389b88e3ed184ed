"""Serializer glue shared by every app: input is taken exactly as sent or refused, never guessed at."""

from __future__ import annotations

from collections.abc import Mapping

from rest_framework import serializers

# How much of a caller's unknown key or invalid value an error message repeats.
SHOWN_CHARS = 40


def shown(value: object) -> str:
    """``value`` as an error message repeats it: at most ``SHOWN_CHARS`` characters."""
    text = str(value)
    return text if len(text) <= SHOWN_CHARS else f"{text[: SHOWN_CHARS - 1]}…"


class ChoiceField(serializers.ChoiceField):
    """DRF's ``ChoiceField`` whose invalid-choice message lists the valid values."""

    default_error_messages = {"invalid_choice": '"{input}" is not a valid choice. Valid choices: {choices}.'}

    def fail(self, key: str, **kwargs):
        if key == "invalid_choice":
            kwargs.update(input=shown(kwargs["input"]), choices=", ".join(self.choice_strings_to_values))
        super().fail(key, **kwargs)


class StrictFieldsMixin:
    """For a ``Serializer``: a key that is not one of its fields is a 422 naming it and listing the writable
    fields, reported together with any other error, so a misspelt field can never make a different object
    than the caller meant. Read-only fields are known and ignored (a fetched object can be sent back). A
    full update (``PUT``) must send every writable field: it replaces the object, and a forgotten field
    would otherwise keep its old value as if the request were a ``PATCH``."""

    serializer_choice_field = ChoiceField

    def to_internal_value(self, data):
        problems = self._input_problems(data) if isinstance(data, Mapping) else {}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if problems and isinstance(exc.detail, dict):
                exc.detail = {**exc.detail, **problems}  # "Unknown field" / "send every field" say more
            raise
        if problems:
            raise serializers.ValidationError(problems)
        return value

    def _input_problems(self, data: Mapping) -> dict[str, list[str]]:
        writable = [name for name, field in self.fields.items() if not field.read_only]
        problems = {
            shown(key): [f"Unknown field. Writable fields: {', '.join(writable)}."]
            for key in data
            if key not in self.fields
        }
        if self.instance is not None and not self.partial:
            problems.update(
                {
                    name: ["A full update (PUT) sends every writable field; use PATCH to change only some."]
                    for name in writable
                    if name not in data
                }
            )
        return problems
