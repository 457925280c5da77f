"""``careline token USER [--revoke]``: print a new API token for USER, or revoke all of theirs."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from careline.accounts.models import User
from careline.accounts.services import issue_api_token, revoke_api_tokens


class Command(BaseCommand):
    help = "Print a new API token for USER (shown once), or revoke all of USER's tokens."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username", metavar="USER")
        parser.add_argument(
            "--revoke", action="store_true", help="Revoke every token of USER instead."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        if options["revoke"]:
            count = revoke_api_tokens(user)
            self.stdout.write(f"revoked {count} token{'' if count == 1 else 's'} of {username}")
            return
        if not user.is_active:
            raise CommandError(f"{username} is not active; a token would not work")
        # Only the token on stdout, so `TOKEN=$(careline token USER)` works.
        self.stdout.write(issue_api_token(user))
        self.stderr.write("Keep it now: only its hash is stored.")
