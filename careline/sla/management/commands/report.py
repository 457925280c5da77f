"""``careline report unanswered``: complaints with no reply and no decision not to reply."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from careline.sla.selectors import UnansweredRow, unanswered_rows

REPORTS = ("unanswered",)
COLUMNS = (
    "id",
    "age_minutes",
    "created_at",
    "channel",
    "severity",
    "status",
    "priority",
    "assignee",
    "team",
    "sla_next_due_at",
    "subject",
)


class Command(BaseCommand):
    help = (
        "Print a report. unanswered: complaints with neither a reply nor a recorded decision "
        "not to reply, not closed, oldest first, with their age (every case, not one team's)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("report", choices=REPORTS)
        parser.add_argument("--format", choices=("table", "csv", "json"), default="table")
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            metavar="MINUTES",
            help="only complaints at least this many minutes old",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        older = options["older_than"]
        if older is not None and older < 0:
            raise CommandError("--older-than: give a number of minutes, 0 or more")
        now = timezone.now()
        rows = unanswered_rows(
            None, older_than=timedelta(minutes=older) if older is not None else None, now=now
        )
        records = [_record(row) for row in rows]
        fmt = options["format"]
        if fmt == "json":
            self.stdout.write(
                json.dumps(
                    {"generated_at": now.isoformat(), "count": len(records), "items": records},
                    ensure_ascii=False,
                    indent=2,
                )
            )
        elif fmt == "csv":
            writer = csv.DictWriter(self.stdout, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows({k: "" if v is None else v for k, v in r.items()} for r in records)
        else:
            self._table(records)

    def _table(self, records: list[dict[str, Any]]) -> None:
        if not records:
            self.stdout.write("No unanswered complaints: every one has a reply or a decision.")
            return
        head = ("case", "age", "channel", "sev", "status", "assignee", "subject")
        lines = [
            (
                f"#{r['id']}",
                _age(r["age_minutes"]),
                r["channel"],
                str(r["severity"]),
                r["status"],
                r["assignee"] or "-",
                r["subject"][:50],
            )
            for r in records
        ]
        widths = [max(len(row[i]) for row in [head, *lines]) for i in range(len(head) - 1)]
        for row in [head, *lines]:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  ".join([*cells, row[-1]]).rstrip())
        plural = "s" if len(records) != 1 else ""
        self.stdout.write(f"{len(records)} unanswered complaint{plural}")


def _record(row: UnansweredRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "age_minutes": int(row.age.total_seconds() // 60),
        "created_at": row.created_at.isoformat(),
        "channel": row.channel,
        "severity": row.severity,
        "status": row.status,
        "priority": row.priority,
        "assignee": row.assignee,
        "team": row.team,
        "sla_next_due_at": row.sla_next_due_at.isoformat() if row.sla_next_due_at else None,
        "subject": row.subject,
    }


def _age(minutes: int) -> str:
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins} min"
    return f"{mins} min"
