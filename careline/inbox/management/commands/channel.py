from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import slugify

from careline.inbox.channels import NEEDS, ChannelSetupError, add_channel


class Command(BaseCommand):
    help = (
        "Connect a channel: careline channel add PLATFORM --name NAME [--KEY VALUE …]. "
        "Secrets may be given as env:VARIABLE to keep them out of the shell history."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="connect a new channel")
        add.add_argument("platform", choices=sorted(NEEDS))
        add.add_argument("--name", required=True, help="a short name, used in the webhook URL")
        add.add_argument("--display-name", default="")
        keys = sorted({need.key for needs in NEEDS.values() for need in needs})
        for key in keys:
            add.add_argument(f"--{key.replace('_', '-')}", dest=key, default=None)
        add.add_argument("--poll", action="store_true", help="X: poll mentions too")

    def handle(self, *args: Any, **options: Any) -> None:
        platform = options["platform"]
        credentials = {need.key: _resolve(options.get(need.key)) for need in NEEDS[platform]}
        if options["poll"]:
            credentials["poll"] = "1"
        name = slugify(options["name"])
        try:
            setup = add_channel(
                platform=platform,
                name=name,
                credentials=credentials,
                display_name=options["display_name"],
            )
        except ChannelSetupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"channel {name} ({platform}) added.")
        if setup.webhook_url:
            self.stdout.write(f"webhook URL:  {setup.webhook_url}")
        else:
            self.stdout.write("no webhook: careline polls this channel every minute.")
        for key, value in setup.generated.items():
            self.stdout.write(f"{key.replace('_', ' ')}:  {value}")


def _resolve(value: str | None) -> str | None:
    if value and value.startswith("env:"):
        variable = value[4:]
        if variable not in os.environ:
            raise CommandError(f"environment variable {variable} is not set")
        return os.environ[variable]
    return value
