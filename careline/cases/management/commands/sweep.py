from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from careline.ingestion.services import sweep_inbound_events
from careline.replies.services import sweep_outbox
from careline.sla.services import sweep_sla


class Command(BaseCommand):
    help = (
        "Queue again stored-but-unprocessed webhook events and due reply retries, and record "
        "due SLA warnings and breaches, now."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        events = sweep_inbound_events(older_than_seconds=0)
        replies = sweep_outbox()
        self.stdout.write(f"queued {events} inbound events and {replies} replies")
        sla = sweep_sla()
        self.stdout.write(
            f"SLA: checked {sla.checked} cases, recorded {sla.warnings} warnings and "
            f"{sla.breaches} breaches" + (f", {len(sla.failed)} failed" if sla.failed else "")
        )
