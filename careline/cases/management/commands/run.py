from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from careline.accounts.models import User

DEMO_USERS = ("agent", "supervisor", "admin")


def _fake_config_file() -> Path:
    """The fake platform's configuration: webhooks go to the demo's channel names."""
    from django.conf import settings

    from careline.demo.seeding import CHANNEL_NAMES

    names = {platform: name for platform, (name, _) in CHANNEL_NAMES.items()}
    names["generic"] = "shop-webhook"
    path = Path(settings.VAR_DIR) / "fake-platform.json"
    path.write_text(json.dumps({"channel_names": names}), encoding="utf-8")
    return path


class Command(BaseCommand):
    help = "Run the web app (gunicorn) and a task worker together; Ctrl-C stops both."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument(
            "--fake-platform-port",
            type=int,
            default=0,
            help="also run the fake platform (careline fake-platform) on this port",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        url = f"http://{options['host']}:{options['port']}"
        env = {**os.environ, "CARELINE_BASE_URL": os.environ.get("CARELINE_BASE_URL", url)}
        web = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [
                sys.executable,
                "-m",
                "gunicorn",
                "careline.wsgi:application",
                "--bind",
                f"{options['host']}:{options['port']}",
                "--workers",
                str(options["web_workers"]),
                "--threads",
                "4",
                "--graceful-timeout",
                "5",
            ],
            env=env,
        )
        worker = subprocess.Popen([sys.executable, "-m", "careline.cli", "worker"], env=env)
        # Live streams (X keyword listening, Mastodon); idles when no channel streams.
        listener = subprocess.Popen([sys.executable, "-m", "careline.cli", "listen"], env=env)
        self._announce(url)
        named = [("web", web), ("worker", worker), ("listener", listener)]
        if options["fake_platform_port"]:
            fake = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                [
                    sys.executable,
                    "-m",
                    "careline.fakeplatform",
                    "--port",
                    str(options["fake_platform_port"]),
                    "--careline-url",
                    url,
                    "--config",
                    str(_fake_config_file()),
                ],
                env=env,
            )
            named.append(("fake platform", fake))
        processes = tuple(p for _, p in named)
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(p.poll() is None for p in processes):
                time.sleep(0.3)
        finally:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
        failed = [name for name, p in named if p.returncode not in (0, -15, None)]
        if failed and not stopping:
            self.stderr.write(f"stopped because a process exited: {failed}")
            raise SystemExit(1)
        self.stdout.write("careline stopped.")

    def _announce(self, url: str) -> None:
        fake = os.environ.get("CARELINE_FAKE_PLATFORM_URL")
        self.stdout.write(self.style.SUCCESS(f"\ncareline is running at {url}/"))
        demo = list(User.objects.filter(username__in=DEMO_USERS).values_list("username", "role"))
        if demo:
            self.stdout.write("Demo logins (password: demo):")
            for username, role in demo:
                self.stdout.write(f"  {username:<11} {role}")
        if fake:
            self.stdout.write(f"Fake platform (replies arrive here): {fake}/")
        self.stdout.write("API docs: " + url + "/api/v1/docs   Press Ctrl-C to stop.\n")
