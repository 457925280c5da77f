"""Webhook receive: latency at a steady rate and what survives saturation.

    .venv/bin/python bench/webhook.py [--rate 200] [--seconds 10] [--burst 3000] [--postgres URL]

Starts gunicorn (2 workers, 4 threads each, as `careline run`) on a fresh database with one generic
channel, sends signed deliveries at a steady rate and reports server-visible latency
percentiles; then sends a burst as fast as 32 connections allow and checks that every delivery
answered 202 is stored (nothing lost). The load generator runs on the same 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECRET = "bench-secret"  # noqa: S105


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def signed(n: int) -> tuple[bytes, dict[str, str]]:
    from careline.connectors.generic.connector import sign

    body = json.dumps(
        {
            "id": f"bench-{n}",
            "author": {"id": f"u{n % 500}", "handle": f"@u{n % 500}"},
            "text": f"Where is my order #{100000 + n}? It was due on Monday.",
            "created_at": "2026-11-20T10:00:00Z",
        }
    ).encode()
    return body, {"Content-Type": "application/json", "X-Careline-Signature": sign(SECRET, body)}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--burst", type=int, default=3000)
    parser.add_argument("--postgres", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "CARELINE_VAR_DIR": tmp,
            "CARELINE_LOG_LEVEL": "WARNING",
            # Deliveries are stored and queued; no worker runs, so the figures are the receiver's.
            "DATABASE_URL": args.postgres or f"sqlite:///{tmp}/bench.sqlite3",
        }
        careline = [sys.executable, "-m", "careline.cli"]
        subprocess.run([*careline, "migrate", "-v0"], env=env, check=True)  # noqa: S603
        subprocess.run(  # noqa: S603
            [*careline, "channel", "add", "generic", "--name", "bench", "--secret", SECRET],
            env=env,
            check=True,
            capture_output=True,
        )
        port = free_port()
        server = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "careline.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}/hooks/generic/bench"
        try:
            for _ in range(100):
                try:
                    httpx.get(f"http://127.0.0.1:{port}/login/", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            steady(url, args.rate, args.seconds)
            burst(url, args.burst, offset=1_000_000, env=env)
        finally:
            server.terminate()
            server.wait(10)


def steady(url: str, rate: float, seconds: float) -> None:
    total = int(rate * seconds)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    start = time.perf_counter()

    def send(n: int, client: httpx.Client) -> None:
        body, headers = signed(n)
        began = time.perf_counter()
        status = client.post(url, content=body, headers=headers).status_code
        with lock:
            latencies.append((time.perf_counter() - began) * 1000)
            statuses[status] = statuses.get(status, 0) + 1

    with (
        httpx.Client(timeout=10, limits=httpx.Limits(max_connections=64)) as client,
        ThreadPoolExecutor(max_workers=48) as pool,
    ):
        for n in range(total):
            due = start + n / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(send, n, client)
    elapsed = time.perf_counter() - start
    print(
        f"steady {rate:.0f} req/s for {seconds:.0f} s: sent {total} in {elapsed:.1f} s, "
        f"answers {statuses}"
    )
    print(
        f"  latency ms: p50 {percentile(latencies, 0.5):.1f}  p95 {percentile(latencies, 0.95):.1f}"
        f"  p99 {percentile(latencies, 0.99):.1f}  max {max(latencies):.1f}"
        f"  mean {statistics.mean(latencies):.1f}"
    )


def burst(url: str, count: int, *, offset: int, env: dict[str, str]) -> None:
    accepted = 0
    other: dict[str, int] = {}
    lock = threading.Lock()

    def send(n: int, client: httpx.Client) -> None:
        nonlocal accepted
        body, headers = signed(offset + n)
        try:
            status = str(client.post(url, content=body, headers=headers).status_code)
        except httpx.HTTPError as exc:
            status = type(exc).__name__
        with lock:
            if status == "202":
                accepted += 1
            else:
                other[status] = other.get(status, 0) + 1

    start = time.perf_counter()
    with (
        httpx.Client(timeout=30, limits=httpx.Limits(max_connections=32)) as client,
        ThreadPoolExecutor(max_workers=32) as pool,
    ):
        for n in range(count):
            pool.submit(send, n, client)
    elapsed = time.perf_counter() - start
    stored = subprocess.run(
        [
            sys.executable,
            "-m",
            "careline.cli",
            "shell",
            "-c",
            "from careline.ingestion.models import InboundEvent as E; "
            "print(E.objects.filter(dedupe_key__startswith='sha256:').count())",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(
        f"burst {count} as fast as possible: {count / elapsed:.0f} req/s; "
        f"202 accepted {accepted}, other answers {other}"
    )
    print(f"  stored events (steady + burst): {stored}")


if __name__ == "__main__":
    main()
