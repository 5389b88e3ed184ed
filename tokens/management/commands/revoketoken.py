"""``manage.py revoketoken ID`` or ``manage.py revoketoken --user USERNAME``."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser

from tokens import crypto
from tokens.management.audit import AuditedCommand
from tokens.models import PersonalAccessToken
from tokens.services import token_revoke, tokens_revoke

WHERE_IDS_ARE = "shown in the admin's API tokens list and by GET /api/v1/tokens"


class Command(AuditedCommand):
    help = (
        "Revoke one personal access token by id, or every token of a user. Prints how many were revoked on "
        "stdout; audit lines go to stderr. Fails (exit status 1) when nothing was revoked."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        target = parser.add_mutually_exclusive_group(required=True)
        # Text, not type=int: argparse would quote a pasted token back in its error message.
        target.add_argument(
            "token_id", nargs="?", metavar="ID", help=f"The token's id (a number, {WHERE_IDS_ARE}), not the token."
        )
        target.add_argument("--user", metavar="USERNAME", help="Revoke every token of this user.")

    def handle(self, *args, token_id: str | None, user: str | None, **options) -> None:
        # No signed-in user here: revoked_by stays empty and the audit line records no actor.
        if user is not None:
            User = get_user_model()
            try:
                owner = User._default_manager.get_by_natural_key(user)
            except User.DoesNotExist:
                raise CommandError(f"No user named {user!r}.") from None
            revoked = len(tokens_revoke(tokens=PersonalAccessToken.objects.filter(owner=owner), by=None))
            if not revoked:
                raise CommandError(f"{owner} has no unrevoked tokens: nothing was revoked.")
        else:
            pk = parse_token_id(token_id)
            try:
                token = PersonalAccessToken.objects.get(pk=pk)
            except PersonalAccessToken.DoesNotExist:
                raise CommandError(f"No token with id {pk}.") from None
            if not token_revoke(token=token, by=None):
                raise CommandError(
                    f"Token {pk} was already revoked at {token.revoked_at:%Y-%m-%d %H:%M:%S} UTC: nothing was revoked."
                )
            revoked = 1
        self.stdout.write(f"Revoked {revoked} token{'' if revoked == 1 else 's'}.")


def parse_token_id(argument: str) -> int:
    """The id in ``argument``; CommandError otherwise, never quoting the argument, which may be a secret."""
    if argument.isascii() and argument.isdigit():
        return int(argument)
    if argument[: len(crypto.PREFIX)].lower() == crypto.PREFIX or len(argument) >= crypto.RANDOM_LENGTH:
        raise CommandError(
            f"That looks like a token itself, not its id. Pass the token's id instead ({WHERE_IDS_ARE}). "
            "The token was not logged or printed; it may be in your shell history."
        )
    raise CommandError(f"ID must be a token's id, a number ({WHERE_IDS_ARE}).")
