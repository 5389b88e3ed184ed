"""The webhooks' jobs, run by the one job runner (django-tasks, database backend; ``manage.py worker``)."""

from __future__ import annotations

from django_tasks import TaskContext, task

from webhooks import services


@task(takes_context=True)
def deliver(context: TaskContext, message_id: str) -> str:
    """Attempt the delivery ``message_id`` if this job is its current one (``services.delivery_attempt``); queues
    its retry itself."""
    return services.delivery_attempt(message_id=message_id, job_id=context.task_result.id)
