from __future__ import annotations

from django_tasks import task

from careline.replies import services


@task()
def deliver_outbound(outbound_id: int) -> str:
    return services.deliver_outbound(outbound_id)


@task()
def sweep_outbox() -> int:
    return services.sweep_outbox()
