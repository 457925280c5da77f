from __future__ import annotations

from django_tasks import task

from careline.assignment import services


@task()
def assign_waiting_cases() -> int:
    """Give waiting cases of automatic teams to whoever became available (every 60 s,
    careline/schedule.py). Returns how many were assigned."""
    return len(services.assign_waiting_cases())
