"""Import throughput: items/s for `careline import` of N demo items, next to the raw
`executemany` insert rate of the same rows into a bare copy of the message table (the ceiling),
without triage, with the default triage tier inline in the ingest transaction, and with it
run a batch ahead in one worker process (``import_file(triage_workers=1)``).

    .venv/bin/python bench/ingest.py [--items 100000] [--postgres URL] [--skip-sqlite]

Each database run happens in a fresh subprocess with its own empty database. Prints figures;
record them in docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
COLUMNS = [
    "id",
    "author_id",
    "author_handle",
    "author_name",
    "text",
    "created_at",
    "visibility",
    "reply_to",
]


def write_demo_csv(path: Path, items: int) -> int:
    from careline.demo.generator import generate

    posts = generate(items=items, seed=7, now=datetime(2026, 11, 20, tzinfo=UTC))
    seen: set[str] = set()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for post in posts:
            if post.external_id in seen:
                continue
            seen.add(post.external_id)
            writer.writerow(
                [
                    post.external_id,
                    post.author_id,
                    post.author_handle,
                    post.author_name,
                    post.text,
                    post.created_at.isoformat(),
                    "public" if post.public else "private",
                    post.reply_to or "",
                ]
            )
    return len(seen)


def run_one(csv_path: Path) -> dict[str, float]:
    """Runs inside the subprocess: migrate, import, then the raw ceiling."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careline.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from careline.inbox.models import Channel, Message
    from careline.ingestion.importer import import_file

    call_command("migrate", verbosity=0)
    channel = Channel.objects.create(name="bench", platform="generic", credentials={"secret": "x"})
    started = time.perf_counter()
    workers = int(os.environ.get("BENCH_TRIAGE_WORKERS", "0"))
    summary = import_file(csv_path, channel, triage_workers=workers)
    import_seconds = time.perf_counter() - started
    stored = Message.objects.count()
    assert stored == summary.ingest.created, (stored, summary.ingest.created)

    # The ceiling: the same message rows, inserted with one executemany into a bare copy of
    # the table (no constraints, no indexes, no authors, cases or events).
    rows = list(
        Message.objects.values_list(
            "channel_id",
            "conversation_id",
            "author_id",
            "direction",
            "visibility",
            "text",
            "external_id",
            "reply_to_external_id",
            "thread_root",
            "created_at",
            "received_at",
        )
    )
    cols = (
        "channel_id, conversation_id, author_id, direction, visibility, text, external_id, "
        "reply_to_external_id, thread_root, created_at, received_at"
    )
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_raw AS SELECT " + cols + " FROM inbox_message WHERE 1=0")
    placeholders = ", ".join(["%s"] * 11)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO bench_raw ({cols}) VALUES ({placeholders})", rows)
    raw_seconds = time.perf_counter() - started
    return {
        "items": float(stored),
        "import_seconds": import_seconds,
        "import_rate": stored / import_seconds,
        "raw_seconds": raw_seconds,
        "raw_rate": len(rows) / raw_seconds,
        "rejected": float(summary.error_count),
    }


def spawn(label: str, env_overrides: dict[str, str], csv_path: Path) -> dict[str, float]:
    env = {**os.environ, "CARELINE_LOG_LEVEL": "WARNING", **env_overrides}
    out = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, __file__, "--child", str(csv_path)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"{label:<26} import {figures['import_rate']:>9,.0f} items/s "
        f"({figures['items']:,.0f} items in {figures['import_seconds']:.1f} s) | "
        f"raw executemany {figures['raw_rate']:>9,.0f} rows/s | "
        f"import/raw {figures['import_rate'] / figures['raw_rate']:.0%}"
    )
    return figures


def fresh_postgres(url: str) -> str:
    import psycopg

    base, _, _ = url.rpartition("/")
    name = "careline_bench"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return f"{base}/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", ""),
        help="e.g. postgres://postgres@127.0.0.1:5432/test",
    )
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "demo.csv"
        started = time.perf_counter()
        count = write_demo_csv(csv_path, args.items)
        print(
            f"generated {count:,} demo items ({csv_path.stat().st_size / 1e6:.1f} MB CSV) "
            f"in {time.perf_counter() - started:.1f} s; {os.cpu_count()} cores"
        )
        runs = (("0", "0", "no triage"), ("1", "0", "triage inline"), ("1", "1", "triage worker"))
        for triage, workers, label in runs:
            common = {
                "CARELINE_VAR_DIR": tmp,
                "CARELINE_TRIAGE_ON_INGEST": triage,
                "BENCH_TRIAGE_WORKERS": workers,
            }
            if not args.skip_sqlite:
                database = Path(tmp) / f"bench-{triage}-{workers}.sqlite3"
                spawn(
                    f"SQLite, {label}",
                    {**common, "DATABASE_URL": f"sqlite:///{database}"},
                    csv_path,
                )
            if args.postgres:
                url = fresh_postgres(args.postgres)
                spawn(f"PostgreSQL, {label}", {**common, "DATABASE_URL": url}, csv_path)


if __name__ == "__main__":
    main()
