"""Helpers for the triage tests: ingest and assess the way ingestion will, once it calls
``assess_messages`` at the end of ``ingest_items``."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from django.db import transaction

from careline.assessments.models import Assessment
from careline.assessments.services import assess_messages
from careline.cases.models import Conversation
from careline.connectors.base import InboundItem
from careline.inbox.models import Channel, Message
from careline.ingestion.services import IngestResult, ingest_items


def ingest_and_assess(channel: Channel, items: Sequence[InboundItem]) -> IngestResult:
    """The intended integration: ``ingest_items`` will end, inside its transaction, with
    ``assess_messages(result.message_ids)``. Until it does, this does both; afterwards the
    second call finds everything assessed and does nothing."""
    with transaction.atomic():
        result = ingest_items(channel, items)
        assess_messages(result.message_ids)
    return result


def assessment_of(external_id: str) -> Assessment:
    return Assessment.objects.get(message__external_id=external_id)


def case_of(external_id: str) -> Conversation:
    return Message.objects.get(external_id=external_id).conversation


@pytest.fixture
def competitors(settings: object) -> list[str]:
    names = ["MegaMart", "Shop Rival"]
    settings.CARELINE_COMPETITORS = names  # type: ignore[attr-defined]
    return names
