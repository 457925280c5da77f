from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from careline.assessments.services import assess_missing


class Command(BaseCommand):
    help = (
        "Triage every inbound message that has no triage result yet (stored before triage "
        "ran, or while CARELINE_TRIAGE_ON_INGEST was off)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        show = not options["no_progress"] and sys.stderr.isatty()
        with tqdm(unit=" messages", disable=not show, file=sys.stderr) as bar:
            total = assess_missing(on_progress=bar.update)
        self.stdout.write(f"{total} messages triaged.")
