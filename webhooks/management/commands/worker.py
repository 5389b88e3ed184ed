"""``manage.py worker``: run jobs (django-tasks' database worker, ``db_worker``, with all its options) plus, in a
thread beside it, the webhooks' relay (events into deliveries, every ``DISPATCH_INTERVAL`` seconds) and upkeep
(every ``UPKEEP_INTERVAL`` seconds). Run one per CPU or more; any number, on
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
import time

from django.db import connections
from django.db.backends.signals import connection_created
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from webhooks import services
from webhooks.settings import webhook_settings

logger = logging.getLogger("polycms.webhooks")


def relay_forever(stop: threading.Event) -> None:
    """The outbox's relay and the upkeep, until ``stop`` is set: every ``DISPATCH_INTERVAL`` seconds dispatch the
    events whose time has come (``services.events_dispatch``: one indexed query when there are none), and every
    ``UPKEEP_INTERVAL`` seconds, first at once (work a dead worker left is found at start-up), run
    ``services.webhooks_upkeep()``. A failed pass is logged and the next one tries again."""
    next_upkeep = 0.0
    while True:
        try:
            if time.monotonic() >= next_upkeep:
                next_upkeep = time.monotonic() + float(webhook_settings.UPKEEP_INTERVAL)
                counts = services.webhooks_upkeep()
                if any(counts.values()):
                    logger.info("webhooks.upkeep", extra=counts)
            services.events_dispatch()
        except Exception:
            logger.exception("webhooks relay failed")
            connections.close_all()  # this thread's: a broken connection is made anew on the next pass
        if stop.wait(float(webhook_settings.DISPATCH_INTERVAL)):
            connections.close_all()
            return


def asynchronous_commit(sender, connection, **kwargs) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")


class Command(DatabaseWorkerCommand):
    help = (
        "Run a job worker: django-tasks' database worker (webhook deliveries and every other job), plus the "
        "webhooks' relay (new events into deliveries, every second) and upkeep (re-queue what a dead worker left). "
        "Options as db_worker's; --reload is off by default."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(reload=False)
        parser.add_argument(
            "--no-upkeep",
            action="store_false",
            dest="upkeep",
            help="Run jobs only, without the webhooks' relay and upkeep (another worker must run them).",
        )

    def handle(self, *args, upkeep: bool = True, **options) -> None:
        connections.close_all()  # from the checks: every connection from now on commits asynchronously
        connection_created.connect(asynchronous_commit, dispatch_uid="webhooks.worker.asynchronous_commit")
        # With --reload the first process only watches files; its child runs the jobs, and the upkeep.
        if upkeep and (not options["reload"] or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"):
            threading.Thread(
                target=relay_forever, args=(threading.Event(),), name="webhooks-relay", daemon=True
            ).start()
        super().handle(*args, **options)
