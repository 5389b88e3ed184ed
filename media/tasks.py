"""The media library's jobs, run by the one job runner (django-tasks, database backend; ``manage.py worker``)."""

from __future__ import annotations

from django_tasks import task

from media import services


@task()
def make_renditions(media_id: int) -> dict[str, list[str]]:
    """Make the renditions an uploaded image lacks (``services.renditions_make``)."""
    result = services.renditions_make(media_id=media_id)
    return {"made": result.made, "failed": result.failed}
