from __future__ import annotations

from django_tasks import task

from careline.ingestion import services


@task()
def process_inbound_event(event_id: int) -> int:
    result = services.process_inbound_event(event_id)
    return result.created if result else 0


@task()
def sweep_inbound_events() -> int:
    return services.sweep_inbound_events()
