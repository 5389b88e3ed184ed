"""Filter glue shared by every app's ``FilterSet``: invalid values are 422 errors that say what is valid."""

from __future__ import annotations

import django_filters


class ListsValidChoicesMixin:
    """For a django-filter choice filter: the invalid-choice message lists the valid values."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        valid = ", ".join(str(value) for value, _label in self.extra["choices"])
        # Django's ChoiceField fills %(value)s with the value given.
        message = f"%(value)s is not a valid choice. Valid choices: {valid}."
        self.extra["error_messages"] = {"invalid_choice": message, **self.extra.get("error_messages", {})}


class ChoiceFilter(ListsValidChoicesMixin, django_filters.ChoiceFilter):
    pass


class OrderingFilter(ListsValidChoicesMixin, django_filters.OrderingFilter):
    """``?ordering=a,-b``: a field name, ``-`` first for descending; an invalid one lists every valid one."""
