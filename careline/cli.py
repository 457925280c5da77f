"""The ``careline`` command: Django's management commands with careline's names.

``careline import FILE --channel NAME`` runs the ``import_items`` command, ``careline
demo-data`` runs ``demo_data``, and so on; anything else is passed to Django as is, except
``train``, ``evaluate`` and ``triage``, which run the triage models without Django, and
``tone-check``, ``tone-evaluate`` and ``train-tone``, which run the tone guard without
Django.
"""

from __future__ import annotations

import os
import sys

ALIASES = {"import": "import_items"}
# Triage commands are plain Python: they need no settings or database.
TRIAGE_COMMANDS = {"train", "evaluate", "triage"}
# The tone guard is plain Python too.
TONE_COMMANDS = {"tone-check", "tone-evaluate", "train-tone"}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in TRIAGE_COMMANDS:
        from careline.triage.cli import main as triage_main

        return triage_main(args)
    if args and args[0] in TONE_COMMANDS:
        from careline.replies.tone.cli import main as tone_main

        return tone_main(args)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careline.settings")
    if args and not args[0].startswith("-"):
        args[0] = ALIASES.get(args[0], args[0].replace("-", "_"))
    from django.core.management import execute_from_command_line

    execute_from_command_line(["careline", *args])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
