from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careline.assessments.orders import OrderFileError, import_orders


class Command(BaseCommand):
    help = (
        "Import orders from a CSV in the shape of Shopify's order export "
        "(careline import-orders FILE); used to check that customers and orders are real."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            summary = import_orders(path)
        except OrderFileError as exc:
            raise CommandError(str(exc)) from exc
        for error in summary.errors:
            self.stderr.write(f"{path.name}:{error.line}: {error.reason}")
        if summary.error_count > len(summary.errors):
            self.stderr.write(f"… and {summary.error_count - len(summary.errors)} more bad rows")
        self.stdout.write(
            f"{summary.rows} rows read: {summary.created} orders added, {summary.updated} "
            f"updated, {summary.unchanged} unchanged; {summary.error_count} bad rows, "
            f"{summary.skipped_orders} orders skipped."
        )
