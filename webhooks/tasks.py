"""The webhooks' jobs, run by the one job runner (django-tasks, database backend; ``manage.py worker``)."""

from __future__ import annotations

from django_tasks import task

from webhooks import services


@task()
def dispatch_events() -> int:
    """Fan out the events whose time has come into deliveries (``services.events_dispatch``)."""
    return services.events_dispatch()


@task()
def deliver(message_id: str) -> str:
    """Attempt the delivery ``message_id`` (``services.delivery_attempt``); queues its retry itself."""
    return services.delivery_attempt(message_id=message_id)
