from __future__ import annotations

import signal
import threading
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from careline.ingestion.streaming import listen_to, streaming_channels


class Command(BaseCommand):
    help = "Hold live streams open (X keyword listening, Mastodon) and ingest what arrives."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rescan", type=float, default=60.0, help="seconds between looks for new channels"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        threads: dict[int, threading.Thread] = {}
        while not stop.is_set():
            for channel in streaming_channels():
                thread = threads.get(channel.pk)
                if thread is None or not thread.is_alive():
                    thread = threading.Thread(
                        target=listen_to,
                        args=(channel.pk,),
                        kwargs={"stop": stop},
                        name=f"stream-{channel.name}",
                        daemon=True,
                    )
                    thread.start()
                    threads[channel.pk] = thread
                    self.stdout.write(f"listening to {channel.name} ({channel.platform})")
            stop.wait(options["rescan"])
        deadline = time.monotonic() + 5
        for thread in threads.values():
            thread.join(max(0.0, deadline - time.monotonic()))
