from __future__ import annotations

from django_tasks import task

from careline.replies import moderation


@task()
def protect_private_data(message_id: int) -> str:
    """Hide an item exposing private data and explain why in private (after ingest)."""
    return moderation.protect_private_data(message_id)
