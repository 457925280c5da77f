from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from careline.ingestion.services import sweep_inbound_events
from careline.replies.services import sweep_outbox


class Command(BaseCommand):
    help = "Queue again stored-but-unprocessed webhook events and due reply retries, now."

    def handle(self, *args: Any, **options: Any) -> None:
        events = sweep_inbound_events(older_than_seconds=0)
        replies = sweep_outbox()
        self.stdout.write(f"queued {events} inbound events and {replies} replies")
