"""``/reports/unanswered``: complaints with no reply and no decision not to reply."""

# No `from __future__ import annotations`: ninja reads the endpoint annotations at runtime.
from datetime import datetime, timedelta

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from careline.api.auth import api_user
from careline.sla.selectors import unanswered_rows

router = Router(tags=["reports"])


class UnansweredFilters(Schema):
    older_than: int | None = Field(
        None, ge=0, description="Only complaints at least this many minutes old."
    )


class UnansweredOut(Schema):
    id: int
    subject: str = Field(description="Start of the first post (redacted if it has private data).")
    created_at: datetime
    age_minutes: int = Field(description="Minutes since the complaint was posted.")
    channel: str
    platform: str
    severity: int = Field(description="Triage severity, 0-100.")
    status: str
    priority: str
    assignee: str | None = Field(description="Username.")
    team: str | None
    sla_next_due_at: datetime | None


class UnansweredReportOut(Schema):
    generated_at: datetime
    count: int
    items: list[UnansweredOut] = Field(description="Oldest first.")


@router.get(
    "/unanswered",
    response=UnansweredReportOut,
    summary="Unanswered complaints",
    description="Complaints (triage kind `complaint`) with neither a reply nor a recorded "
    "decision not to reply, not closed, oldest first, among the cases the caller may see.",
)
def unanswered(request: HttpRequest, filters: Query[UnansweredFilters]) -> dict[str, object]:
    now = timezone.now()
    older = timedelta(minutes=filters.older_than) if filters.older_than else None
    rows = unanswered_rows(api_user(request), older_than=older, now=now)
    return {
        "generated_at": now,
        "count": len(rows),
        "items": [
            {**row.__dict__, "age_minutes": int(row.age.total_seconds() // 60)} for row in rows
        ],
    }
