"""``manage.py createtoken USERNAME --name NAME [--abilities a,b] [--expires-in DAYS]``."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from tokens.abilities import ABILITIES
from tokens.management.audit import AuditedCommand
from tokens.services import token_create


class Command(AuditedCommand):
    help = (
        "Create a personal access token for a user. The plaintext is printed alone on stdout, once, so a "
        "script can capture it; everything else goes to stderr."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="The token's owner.")
        parser.add_argument("--name", required=True, help='What the token is for, e.g. "Zapier Integration".')
        parser.add_argument(
            "--abilities",
            help=f"Comma-separated, from: {', '.join(ABILITIES)}. Default: *.",
        )
        parser.add_argument("--expires-in", type=int, metavar="DAYS", help="Days until it expires. Default: never.")

    def handle(self, *args, username: str, name: str, abilities: str | None, expires_in: int | None, **options):
        User = get_user_model()
        try:
            owner = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        if expires_in is not None and expires_in < 1:
            raise CommandError("--expires-in must be at least 1 day.")
        try:
            token, plaintext = token_create(
                owner=owner,
                name=name,
                abilities=abilities.split(",") if abilities is not None else None,
                expires_at=timezone.now() + timedelta(days=expires_in) if expires_in is not None else None,
            )
        except ValidationError as exc:
            messages = (f"{field}: {' '.join(field_messages)}" for field, field_messages in exc.message_dict.items())
            raise CommandError(" ".join(messages)) from None
        self.stderr.write(f"Created token “{token.name}” ({token.display_hint}, id {token.pk}) for {owner}.")
        self.stdout.write(plaintext)
