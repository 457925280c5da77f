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


@task()
def poll_channel(channel_id: int) -> int:
    from careline.ingestion.polling import poll_channel as poll

    return poll(channel_id).created


@task()
def poll_due_channels() -> int:
    from careline.ingestion.polling import channels_due

    due = channels_due()
    for channel_id in due:
        poll_channel.enqueue(channel_id)
    return len(due)
