from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from careline.inbox.models import Channel
from careline.ingestion.importer import ImportFileError, ImportSummary, import_file


class Command(BaseCommand):
    help = "Import posts from a CSV or JSON lines file into a channel (careline import FILE)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--channel", required=True, help="the channel's name")
        parser.add_argument("--format", choices=["csv", "jsonl"], default=None)
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--triage-workers",
            type=int,
            default=None,
            metavar="N",
            help=(
                "processes triaging the next batch while one is written (0: triage inline; "
                "default: 1 for a file of 1 MB or more, else 0)"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        channel = Channel.objects.filter(name=options["channel"]).first()
        if channel is None:
            raise CommandError(f"no channel named {options['channel']!r}")
        size = path.stat().st_size
        show = not options["no_progress"] and sys.stderr.isatty()
        # Progress in rows; the total is unknown until the file is read, so show a rate.
        with tqdm(unit=" rows", disable=not show, file=sys.stderr) as bar:
            try:
                summary = import_file(
                    path,
                    channel,
                    file_format=options["format"],
                    on_progress=bar.update,
                    triage_workers=options["triage_workers"],
                )
            except ImportFileError as exc:
                if exc.summary is not None:
                    self._report(exc.summary, path, size)
                raise CommandError(str(exc)) from exc
        self._report(summary, path, size)

    def _report(self, summary: ImportSummary, path: Path, size: int) -> None:
        for error in summary.errors:
            self.stderr.write(f"{path.name}:{error.line}: {error.reason}")
        if summary.error_count > len(summary.errors):
            self.stderr.write(f"… and {summary.error_count - len(summary.errors)} more bad rows")
        result = summary.ingest
        self.stdout.write(
            f"{summary.rows} rows read: {result.created} imported, "
            f"{result.duplicates} already present, {summary.error_count} rejected; "
            f"{result.conversations_created} new conversations."
        )
