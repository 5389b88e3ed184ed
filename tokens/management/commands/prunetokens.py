"""``manage.py prunetokens --days N``: delete tokens revoked or expired more than N days ago."""

from __future__ import annotations

from django.core.management.base import CommandError, CommandParser

from tokens.management.audit import AuditedCommand
from tokens.services import tokens_prune


class Command(AuditedCommand):
    help = (
        "Delete tokens revoked or expired more than --days days ago (run it daily, e.g. from cron). Prints how "
        "many on stdout; the audit line goes to stderr."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=int, required=True, metavar="N", help="Keep tokens that ended within N days."
        )

    def handle(self, *args, days: int, **options) -> None:
        if days < 0:
            raise CommandError("--days cannot be negative.")
        deleted = tokens_prune(older_than_days=days)
        self.stdout.write(
            f"Deleted {deleted} token{'' if deleted == 1 else 's'} revoked or expired over {days} days ago."
        )
