"""``manage.py worker``: run jobs (django-tasks' database worker, ``db_worker``, with all its options) plus the
webhooks' upkeep every ``UPKEEP_INTERVAL`` seconds in a thread beside it. Run one per CPU or more; any number, on
any hosts, may share one PostgreSQL database: each job runs once (``SELECT … FOR UPDATE SKIP LOCKED``).

On PostgreSQL a worker's commits do not wait for the disk (``synchronous_commit = off``), which halves the cost
of a delivery (it commits four times). A database crash can then forget a worker's last fraction of a second
of writes: at worst an attempt is made again with the same ``webhook-id``, which receivers dedupe. What must
not be forgotten is committed synchronously: the events (the web process writes them) and their dispatch into
deliveries (``services.events_dispatch``)."""

from __future__ import annotations

import logging
import os
import threading

from django.db import connections
from django.db.backends.signals import connection_created
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from webhooks import services
from webhooks.settings import webhook_settings

logger = logging.getLogger("polycms.webhooks")


def upkeep_forever(stop: threading.Event) -> None:
    """``services.webhooks_upkeep()`` now (work a dead worker left is found at once after a restart), then every
    ``UPKEEP_INTERVAL`` seconds until ``stop`` is set. A failed pass is logged and the next one tries again."""
    while True:
        try:
            counts = services.webhooks_upkeep()
            if any(counts.values()):
                logger.info("webhooks.upkeep", extra=counts)
        except Exception:
            logger.exception("webhooks upkeep failed")
        finally:
            connections.close_all()  # this thread's connections only
        if stop.wait(float(webhook_settings.UPKEEP_INTERVAL)):
            return


def asynchronous_commit(sender, connection, **kwargs) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")


class Command(DatabaseWorkerCommand):
    help = (
        "Run a job worker: django-tasks' database worker (webhook deliveries and every other job), plus the "
        "webhooks' upkeep (re-queue what a dead worker left). Options as db_worker's; --reload is off by default."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(reload=False)
        parser.add_argument(
            "--no-upkeep", action="store_false", dest="upkeep", help="Run jobs only, without the webhooks' upkeep."
        )

    def handle(self, *args, upkeep: bool = True, **options) -> None:
        connections.close_all()  # from the checks: every connection from now on commits asynchronously
        connection_created.connect(asynchronous_commit, dispatch_uid="webhooks.worker.asynchronous_commit")
        # With --reload the first process only watches files; its child runs the jobs, and the upkeep.
        if upkeep and (not options["reload"] or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"):
            threading.Thread(
                target=upkeep_forever, args=(threading.Event(),), name="webhooks-upkeep", daemon=True
            ).start()
        super().handle(*args, **options)
