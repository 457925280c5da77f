"""Helpers for the SLA tests: cases posted at a given moment, business hours, policies."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time

import pytest
import respx

from careline.accounts.models import User
from careline.cases.models import Conversation
from careline.connectors.base import InboundItem
from careline.inbox.models import Channel
from careline.ingestion.services import ingest_items
from careline.sla import services
from careline.sla.models import BusinessHours, SlaPolicyRow
from careline.workflow.calendar import BusinessCalendar


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture(autouse=True)
def platform_http() -> Iterator[respx.MockRouter]:
    """Outbound HTTP is mocked at the seam; nothing leaves the test."""
    with respx.mock(assert_all_called=False) as router:
        yield router


def post(
    channel: Channel,
    external_id: str,
    at: datetime,
    *,
    author: str = "u1",
    text: str = "Where is my order?",
    reply_to: str = "",
) -> Conversation:
    """Ingest one public post written at ``at`` (the test freezes time around it)."""
    item = InboundItem(
        external_id=external_id,
        author_id=author,
        author_handle="@" + author,
        author_name=author.title(),
        text=text,
        created_at=at,
        public=True,
        reply_to=reply_to,
    )
    result = ingest_items(channel, [item])
    return Conversation.objects.get(pk=result.conversation_ids[0])


def london_office(*holidays: date) -> BusinessCalendar:
    return BusinessCalendar.office_hours(
        "Europe/London", start=time(9), end=time(17), holidays=holidays
    )


def office_policy(actor: User, calendar: BusinessCalendar, *, minutes: int = 60) -> SlaPolicyRow:
    """Normal cases: ``minutes`` to first response on London office hours."""
    hours = services.save_business_hours(name="London office", calendar=calendar, actor=actor)
    return services.save_policy(
        name="Office normal",
        priority="normal",
        channel=None,
        first_response_minutes=minutes,
        next_response_minutes=120,
        resolution_minutes=8 * 60,
        hours=hours,
        warn_before_fraction=0.25,
        ordering=10,
        actor=actor,
    )


def hours_named(name: str) -> BusinessHours:
    return BusinessHours.objects.get(name=name)
