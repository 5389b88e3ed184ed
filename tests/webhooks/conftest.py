"""Fixtures for the webhooks tests: real receivers, settings that let deliveries reach 127.0.0.1, and running
the queued jobs in-process with django-tasks' own worker code."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.db import transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from tests.webhooks.receivers import Receiver, running_receiver
from webhooks import services

LOCAL = {"ALLOW_HTTP": True, "ALLOW_PRIVATE_NETWORKS": True}


@pytest.fixture
def local_targets(settings):
    """Deliveries may go to http://127.0.0.1 (as with DJANGO_DEBUG=1); the suite runs production settings."""
    settings.POLYCMS_WEBHOOKS = {**settings.POLYCMS_WEBHOOKS, **LOCAL}


@pytest.fixture
def receiver(local_targets) -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running


@pytest.fixture
def make_receiver(local_targets) -> Iterator[Callable[[], Receiver]]:
    stack = []

    def make() -> Receiver:
        context = running_receiver()
        stack.append(context)
        return context.__enter__()

    yield make
    for context in reversed(stack):
        context.__exit__(None, None, None)


def run_jobs(max_jobs: int = 10_000) -> int:
    """A pass of the worker's relay (``services.events_dispatch``: due events into deliveries), then run the jobs
    that are ready now, as ``manage.py worker`` does (django-tasks' ``Worker.run_task``), until none is left;
    returns how many ran. In-process, so ``time_machine`` moves the queue's clock too."""
    services.events_dispatch()
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    ran = 0
    while ran < max_jobs:
        with transaction.atomic():
            job = DBTaskResult.objects.ready().get_locked()
            if job is None:
                return ran
            job.claim(worker.worker_id)
        worker.run_task(job)
        ran += 1
    raise AssertionError(f"more than {max_jobs} jobs")


@pytest.fixture
def jobs() -> Callable[[], int]:
    return run_jobs


@pytest.fixture
def make_webhook(make_user):
    def make(owner=None, url: str = "https://hooks.example.com/in", events=("*",), **kwargs):
        owner = owner or make_user("hookowner")
        webhook, secret = services.webhook_create(owner=owner, target_url=url, events=list(events), **kwargs)
        webhook.secret = secret
        return webhook

    return make
