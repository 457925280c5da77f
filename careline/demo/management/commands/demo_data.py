from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from tqdm import tqdm

from careline.demo.seeding import seed_demo


class Command(BaseCommand):
    help = "Load realistic synthetic demo traffic, demo users (password 'demo') and channels."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--items", type=int, default=2500)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        with tqdm(
            total=options["items"], unit=" items", disable=not sys.stderr.isatty(), file=sys.stderr
        ) as bar:
            summary = seed_demo(
                items=options["items"],
                seed=options["seed"],
                now=timezone.now(),
                on_progress=bar.update,
            )
        if summary.already_loaded:
            self.stdout.write("demo data: already loaded; nothing added.")
            return
        result = summary.ingest
        self.stdout.write(
            f"demo data: {result.created} items stored ({result.duplicates} already present), "
            f"{result.conversations_created} conversations, {summary.channels} channels, "
            f"{summary.handled} older cases answered and resolved."
        )
