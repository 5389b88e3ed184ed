"""Opaque, signed list cursors for keyset pagination (``?cursor=``): where the last page ended, in the
list's ordering, so the next page is one index range scan however deep it is, and stays right while
rows are added or removed before it.

A cursor is the ordering (``["-created_at", "-id"]``) and the last row's values of those fields, as
JSON, signed with the ``SECRET_KEY`` (``django.core.signing``): a client cannot make one up or edit it,
so a bad cursor is the client's mistake (422), never a query built from tampered values.
"""

from __future__ import annotations

import datetime
import functools
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core import exceptions as django_exceptions
from django.core import signing
from django.db.models import F, Model, OrderBy, Q

from api.exceptions import ValidationError

SALT = "api.cursors"
INVALID = "Invalid cursor: send the one of links.next as it came, or an empty cursor= to start from the first page."


@dataclass(frozen=True)
class OrderingKey:
    """One field of a keyset ordering: ``name``, its direction, and whether it can be NULL. NULL sorts as
    the largest value, as PostgreSQL does by default (last ascending, first descending): the queryset is
    ordered so on every database (``order_by_expression()``)."""

    name: str
    descending: bool
    nullable: bool

    @property
    def spec(self) -> str:
        return f"-{self.name}" if self.descending else self.name

    def order_by_expression(self) -> OrderBy:
        if self.descending:
            return F(self.name).desc(nulls_first=True) if self.nullable else F(self.name).desc()
        return F(self.name).asc(nulls_last=True) if self.nullable else F(self.name).asc()

    def after(self, value: Any) -> Q | None:
        """Rows that come after ``value`` in this key's order; None when none can."""
        if self.descending:
            if value is None:
                return Q(**{f"{self.name}__isnull": False})
            return Q(**{f"{self.name}__lt": value})
        if value is None:
            return None
        after = Q(**{f"{self.name}__gt": value})
        return after | Q(**{f"{self.name}__isnull": True}) if self.nullable else after

    def equal(self, value: Any) -> Q:
        return Q(**{f"{self.name}__isnull": True}) if value is None else Q(**{self.name: value})

    def not_before(self, value: Any) -> Q:
        """Rows at or after ``value``, as one range where it can be: implied by ``keyset_filter``, and
        written out so the database starts an index scan there instead of filtering every row before it."""
        if value is None:
            return Q() if self.descending else Q(**{f"{self.name}__isnull": True})
        if self.descending:
            return Q(**{f"{self.name}__lte": value})
        bound = Q(**{f"{self.name}__gte": value})
        return bound | Q(**{f"{self.name}__isnull": True}) if self.nullable else bound


def ordering_keys(model: type[Model], ordering: Sequence[str]) -> list[OrderingKey]:
    """The keys of ``ordering`` (field names, ``-`` for descending) up to its first unique, non-null field,
    the tie-breaker that makes it a total order. ``ValueError`` when it has none, or names something that
    is not a field of ``model``."""
    keys = []
    for spec in ordering:
        name = spec.removeprefix("-")
        field = model._meta.get_field(name)
        if any(key.name == field.name for key in keys):
            continue
        keys.append(OrderingKey(field.name, spec.startswith("-"), field.null))
        if (field.primary_key or field.unique) and not field.null:
            return keys
    raise ValueError(f"The ordering {list(ordering)} of {model.__name__} ends with no unique field.")


def keyset_filter(keys: Sequence[OrderingKey], values: Sequence[Any]) -> Q:
    """Rows strictly after the row whose ordering values are ``values``, in the order of ``keys``."""
    cases = []
    for position, key in enumerate(keys):
        case = key.after(values[position])
        if case is not None:
            for earlier, value in zip(keys[:position], values[:position], strict=True):
                case &= earlier.equal(value)
            cases.append(case)
    # The last key is unique and never NULL, so some row can always come after: there is at least one case.
    return keys[0].not_before(values[0]) & functools.reduce(operator.or_, cases)


def encode(keys: Sequence[OrderingKey], values: Sequence[Any]) -> str:
    """The opaque cursor after a row whose ordering values are ``values``."""
    return signing.dumps({"o": [key.spec for key in keys], "v": [_dump(value) for value in values]}, salt=SALT)


def decode(model: type[Model], keys: Sequence[OrderingKey], cursor: str) -> list[Any]:
    """The ordering values in ``cursor``, made with ``encode`` for ``keys``. 422 when it was tampered with or
    made for another ordering."""
    try:
        payload = signing.loads(cursor, salt=SALT)
    except signing.BadSignature:
        raise ValidationError({"cursor": [INVALID]}) from None
    specs = [key.spec for key in keys]
    if not isinstance(payload, dict) or not isinstance(payload.get("v"), list) or len(payload["v"]) != len(keys):
        raise ValidationError({"cursor": [INVALID]})
    if payload.get("o") != specs:
        raise ValidationError(
            {
                "cursor": [
                    f"This cursor walks the ordering {','.join(map(str, payload.get('o') or []))}, not "
                    f"{','.join(specs)}: keep the ordering (and the other parameters) of the page that gave it, "
                    "or start again with an empty cursor=."
                ]
            }
        )
    try:
        return [
            None if value is None else model._meta.get_field(key.name).to_python(value)
            for key, value in zip(keys, payload["v"], strict=True)
        ]
    except django_exceptions.ValidationError:
        raise ValidationError({"cursor": [INVALID]}) from None


def _dump(value: Any) -> Any:
    # Date-times to the microsecond (DjangoJSONEncoder would cut them to milliseconds and skip rows).
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value
