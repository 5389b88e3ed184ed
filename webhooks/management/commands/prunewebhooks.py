"""``manage.py prunewebhooks [--days N]``: delete delivery attempts older than N days (default
``POLYCMS_WEBHOOKS["RETENTION_DAYS"]``, 30), deliveries finished before then, their events and finished jobs."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from webhooks import services


class Command(BaseCommand):
    help = "Delete webhook delivery attempts, finished deliveries, events and jobs older than --days (default 30)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=None, help="Keep this many days (default: RETENTION_DAYS).")

    def handle(self, *args, days: int | None, **options) -> None:
        if days is not None and days < 0:
            raise CommandError("--days must be 0 or more.")
        counts = services.webhooks_prune(older_than_days=days)
        self.stdout.write(", ".join(f"{count} {name}" for name, count in counts.items()) + " deleted.")
