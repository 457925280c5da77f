from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils.module_loading import import_string
from django_tasks_db.compat import TASKS_LOGGER
from django_tasks_db.management.commands.db_worker import Command as DbWorker

from careline.lib.env import env_str
from careline.schedule import SCHEDULE

log = logging.getLogger("careline.worker")


def _schedule_loop(stop: threading.Event) -> None:
    next_run = {entry.task: 0.0 for entry in SCHEDULE}
    while not stop.is_set():
        now = time.monotonic()
        for entry in SCHEDULE:
            if now >= next_run[entry.task]:
                try:
                    import_string(entry.task).enqueue()
                except Exception:
                    # One failing enqueue must not stop the schedule; it is tried again next tick.
                    log.exception("could not enqueue %s", entry.task)
                finally:
                    close_old_connections()
                next_run[entry.task] = now + entry.every_seconds
        stop.wait(1.0)


class _QuietWorker(DbWorker):
    """django-tasks-db's worker logs every task start and finish at INFO; keep that at the
    level CARELINE_TASK_LOG_LEVEL sets (WARNING by default) so failures still show."""

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        level = env_str("CARELINE_TASK_LOG_LEVEL", "WARNING").upper()
        for name in (TASKS_LOGGER, "django_tasks_db"):
            logging.getLogger(name).setLevel(level)


class Command(BaseCommand):
    help = "Run a task worker (django-tasks ORM queue) and enqueue the periodic sweeps."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-schedule", action="store_true", help="do not enqueue sweeps")
        parser.add_argument("--interval", type=float, default=0.5)

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        if not options["no_schedule"]:
            threading.Thread(target=_schedule_loop, args=(stop,), daemon=True).start()
        try:
            call_command(_QuietWorker(), interval=options["interval"], reload=False, queue_name="*")
        finally:
            stop.set()
