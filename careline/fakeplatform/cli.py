"""``python -m careline.fakeplatform`` / ``careline fake-platform``: run the fake platform in the
foreground and print what careline's channels must point at."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from careline.fakeplatform.config import PLATFORMS, WEBHOOK_FAMILY, FakeConfig
from careline.fakeplatform.server import FakePlatform

DEFAULT_PORT = 8001


class UsageError(ValueError):
    pass


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="default 8001")
    parser.add_argument("--config", default="", help="a JSON file overriding the defaults")
    parser.add_argument(
        "--careline-url",
        default="",
        help="careline's base URL, e.g. http://127.0.0.1:8000: webhooks go to "
        "/hooks/<family>/fake-<platform> there (names changeable in the config file)",
    )
    parser.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="PLATFORM=URL",
        help="the exact webhook URL for one platform (repeatable); wins over --careline-url",
    )
    parser.add_argument(
        "--print-config", action="store_true", help="print the configuration as JSON and exit"
    )
    parser.add_argument("--log-requests", action="store_true", help="log every request on stderr")


def build_config(options: Mapping[str, Any]) -> FakeConfig:
    """Raises UsageError for an unreadable file or a malformed --target."""
    try:
        config = FakeConfig.load(options["config"]) if options.get("config") else FakeConfig()
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot use the configuration: {exc}") from exc
    if options.get("careline_url"):
        config.careline_url = str(options["careline_url"])
    for given in options.get("target") or []:
        platform, sep, url = str(given).partition("=")
        if not sep or platform not in WEBHOOK_FAMILY or not url.startswith(("http://", "https://")):
            raise UsageError(
                f"--target {given!r}: use PLATFORM=URL with PLATFORM one of "
                f"{', '.join(WEBHOOK_FAMILY)}"
            )
        config.targets[platform] = url
    return config


def banner(fake: FakePlatform) -> list[str]:
    lines = [
        f"careline fake platform on {fake.base_url} — Ctrl-C stops it",
        f"  what arrived on the platform:  {fake.base_url}/",
        f"  control API:                   {fake.base_url}/_fake/ (see "
        "docs/connectors/fake-platform.md)",
        "",
        "Host overrides for careline's connectors:",
    ]
    lines += [f"  {name:<44} {url}" for name, url in fake.urls().items()]
    lines += ["", "Channel credentials (JSON) pointing here:"]
    for platform in PLATFORMS:
        lines.append(f"  {platform:<10} {json.dumps(fake.credentials(platform))}")
    lines += ["", "Webhooks to careline:"]
    for platform in WEBHOOK_FAMILY:
        target = fake.config.target(platform)
        lines.append(f"  {platform:<10} {target or '(none: give --careline-url or --target)'}")
    lines.append("  mastodon, bluesky (and X mentions): polled by careline, nothing is pushed")
    return lines


def run(options: Mapping[str, Any], *, out: Callable[[str], Any] = print) -> int:
    """Serve until Ctrl-C. Raises UsageError."""
    config = build_config(options)
    if options.get("print_config"):
        out(json.dumps(config.to_dict(), indent=2))
        return 0
    if options.get("log_requests"):
        logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(message)s")
    else:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    try:
        fake = FakePlatform(
            config,
            host=options.get("host") or "127.0.0.1",
            port=int(options.get("port") or DEFAULT_PORT),
        )
    except OSError as exc:
        raise UsageError(f"cannot listen on port {options.get('port')}: {exc}") from exc
    for line in banner(fake):
        out(line)
    sys.stdout.flush()
    try:
        fake.serve_forever()
    except KeyboardInterrupt:
        out("stopped.")
    finally:
        fake.stopping.set()
        fake._httpd.server_close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m careline.fakeplatform",
        description="A local fake of the platforms careline connects to.",
    )
    add_arguments(parser)
    options = vars(parser.parse_args(argv))
    try:
        return run(options)
    except UsageError as exc:
        parser.error(str(exc))
    return 2
