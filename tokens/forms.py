"""The admin's "Create New Token" form."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from tokens import abilities as token_abilities
from tokens.models import PersonalAccessToken
from tokens.services import NAME_MAX_LENGTH, token_create
from tokens.settings import token_settings

ON_DATE = "date"
NEVER = "never"


class TokenCreateForm(forms.Form):
    """Name, abilities and expiry of a new token. The form only shapes the input: ``create()`` hands it
    to ``token_create``, which owns the rules (name clash, abilities, expiry in the future), and puts
    the service's errors on the matching fields."""

    name = forms.CharField(
        max_length=NAME_MAX_LENGTH,
        help_text="What the token is for, e.g. “Mobile App” or “Zapier Integration”.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "vTextField"}),
    )
    # "radiolist": the admin's class for choice lists, whose labels it then lets run the full width.
    abilities = forms.MultipleChoiceField(
        choices=[(ability, f"{ability} — {description}") for ability, description in token_abilities.ABILITIES.items()],
        initial=token_abilities.DEFAULT_ABILITIES,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "radiolist"}),
        help_text="What the token may do. A token never has more rights than you have.",
    )
    expires_in = forms.ChoiceField(label="Expiration", widget=forms.RadioSelect(attrs={"class": "radiolist"}))
    expires_on = forms.DateField(
        label="Expiry date",
        required=False,
        widget=AdminDateWidget,
        help_text="Only with “On a specific date” under Expiration: the token stops working at the start of this day.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Read per form, not at import, so a changed POLYCMS_TOKENS setting applies without a restart.
        presets = [days for days in token_settings.EXPIRY_CHOICES_DAYS if days is not None]
        field = self.fields["expires_in"]
        field.choices = [
            *((str(days), f"{days} days") for days in presets),
            (ON_DATE, "On a specific date"),
            (NEVER, "Never"),
        ]
        field.initial = "30" if 30 in presets else field.choices[0][0]

    def clean(self) -> dict:
        """The date and the choice must agree: a date needs "On a specific date", and that choice needs a
        date. A typed date is never dropped in favour of a preset (nor the other way round)."""
        cleaned = super().clean()
        choice, date = cleaned.get("expires_in"), cleaned.get("expires_on")
        if choice == ON_DATE and not date:
            self.add_error("expires_on", "Pick the date the token expires on.")
        elif choice is not None and choice != ON_DATE and date:
            chosen = dict(self.fields["expires_in"].choices)[choice]
            self.add_error(
                "expires_on",
                f"Expiration is “{chosen}”: to expire on this date, choose “On a specific date”; "
                "otherwise clear the date.",
            )
        return cleaned

    def expires_at(self) -> datetime | None:
        """The chosen expiry as an aware datetime (None = never). Call on a valid form."""
        choice = self.cleaned_data["expires_in"]
        if choice == NEVER:
            return None
        if choice == ON_DATE:
            return timezone.make_aware(datetime.combine(self.cleaned_data["expires_on"], time.min))
        return timezone.now() + timedelta(days=int(choice))

    def create(self, *, owner, ip: str | None = None) -> tuple[PersonalAccessToken, str] | None:
        """Create the token through ``token_create``; return ``(token, plaintext)``, or None after adding
        the service's validation errors to the form. Call on a valid form."""
        try:
            return token_create(
                owner=owner,
                name=self.cleaned_data["name"],
                abilities=self.cleaned_data["abilities"],
                expires_at=self.expires_at(),
                ip=ip,
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
            for field, messages in errors.items():
                self.add_error(self._field_for(field), messages)
            return None

    def _field_for(self, service_field: str) -> str | None:
        if service_field == "expires_at":
            return "expires_on" if self.cleaned_data.get("expires_in") == ON_DATE else "expires_in"
        return service_field if service_field in self.fields else None
