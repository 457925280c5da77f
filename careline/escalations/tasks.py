from __future__ import annotations

from django_tasks import task

from careline.escalations import notify, services


@task()
def evaluate_cases(conversation_ids: list[int], trigger: str) -> int:
    return services.evaluate_cases(conversation_ids, trigger=trigger)


@task()
def deliver_notification(notification_id: int) -> str:
    return notify.deliver_notification(notification_id)


@task()
def sweep_notifications() -> int:
    return notify.sweep_notifications()


@task()
def sweep_overdue_escalations() -> int:
    return services.sweep_overdue_escalations()
