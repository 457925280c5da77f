from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from careline.assessments.selectors import correction_examples


class Command(BaseCommand):
    help = (
        "Write the agents' triage corrections as JSON lines {task, label, text} (texts with "
        "private data redacted): the training data of the feedback loop."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="where to write (- for standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        examples = correction_examples()
        lines = [
            json.dumps({"task": task, "label": label, "text": text}, ensure_ascii=False)
            for task, pairs in sorted(examples.items())
            for text, label in pairs
        ]
        body = "".join(line + "\n" for line in lines)
        target: Path = options["file"]
        if str(target) == "-":
            self.stdout.write(body, ending="")
        else:
            target.write_text(body, encoding="utf-8")
        counts = ", ".join(f"{task}: {len(pairs)}" for task, pairs in sorted(examples.items()))
        self.stderr.write(f"{len(lines)} examples ({counts or 'none'}).")
