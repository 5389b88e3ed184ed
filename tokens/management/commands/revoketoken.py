"""``manage.py revoketoken ID`` or ``manage.py revoketoken --user USERNAME``."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tokens.models import PersonalAccessToken
from tokens.services import token_revoke, tokens_revoke


class Command(BaseCommand):
    help = "Revoke one personal access token by id, or every token of a user. Prints how many were revoked."

    def add_arguments(self, parser: CommandParser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("token_id", nargs="?", type=int, metavar="ID", help="The token's id.")
        target.add_argument("--user", metavar="USERNAME", help="Revoke every token of this user.")

    def handle(self, *args, token_id: int | None, user: str | None, **options) -> None:
        # No signed-in user here: revoked_by stays empty and the audit line records no actor.
        if user is not None:
            User = get_user_model()
            try:
                owner = User._default_manager.get_by_natural_key(user)
            except User.DoesNotExist:
                raise CommandError(f"No user named {user!r}.") from None
            revoked = len(tokens_revoke(tokens=PersonalAccessToken.objects.filter(owner=owner), by=None))
        else:
            try:
                token = PersonalAccessToken.objects.get(pk=token_id)
            except PersonalAccessToken.DoesNotExist:
                raise CommandError(f"No token with id {token_id}.") from None
            revoked = int(token_revoke(token=token, by=None))
        self.stdout.write(f"Revoked {revoked} token{'' if revoked == 1 else 's'}.")
