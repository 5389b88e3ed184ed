"""``manage.py pruneidempotencykeys``: delete Idempotency-Key records older than 24 hours."""

from django.core.management.base import BaseCommand

from posts.idempotency import TTL, prune_expired


class Command(BaseCommand):
    help = f"Delete stored Idempotency-Key responses older than {TTL} (run it from cron, e.g. hourly)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"Deleted {prune_expired()} expired idempotency record(s).")
