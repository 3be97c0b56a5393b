"""The one django-tasks task: run a Job by id. Queued by services.submit on the "default" or "heavy" queue."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def run_job(job_id: int) -> dict[str, Any]:
    from .runner import execute

    return execute(job_id)
