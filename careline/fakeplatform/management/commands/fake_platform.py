from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careline.fakeplatform import cli


class Command(BaseCommand):
    help = (
        "Run the fake platform: a local server that speaks Meta Graph, X, Mastodon, Bluesky "
        "and the generic webhook, for the demo and end-to-end tests. Ctrl-C stops it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        cli.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cli.run(options, out=self.stdout.write)
        except cli.UsageError as exc:
            raise CommandError(str(exc)) from exc
