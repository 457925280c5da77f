"""What SLA clocks cost on the ingest path: `bench/ingest.py`'s import of N demo items with the
SLA refresh (careline.cases.hooks.inbound_stored) switched off and on, then `refresh_sla` alone
over every imported case, with cases of one shape sharing a computation and case by case.

    .venv/bin/python bench/sla.py [--items 5000] [--rounds 2]

SQLite, no triage, a fresh database per run. Prints figures; record them in
docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def child(csv_path: Path, sla: bool) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careline.settings")
    django.setup()
    import ingest  # bench/ingest.py
    from django.db import transaction

    import careline.sla.services as sla_services
    from careline.cases.models import Conversation

    real = sla_services.refresh_sla
    spent = [0.0]

    def timed(ids: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return real(ids, **kwargs) if sla else {}
        finally:
            spent[0] += time.perf_counter() - started

    sla_services.refresh_sla = timed  # type: ignore[assignment]
    figures: dict[str, Any] = ingest.run_one(csv_path)
    figures["refresh_seconds"] = spent[0]
    sla_services.refresh_sla = real
    if sla:
        ids = list(Conversation.objects.values_list("pk", flat=True))
        shape = sla_services._shape
        for label, chosen in (("shared", shape), ("each", lambda case, policy: None)):
            sla_services._shape = chosen
            runs = []
            for _ in range(5):
                with transaction.atomic():
                    # Force the writes too, as on a first refresh.
                    Conversation.objects.update(sla_next_due_at=None, sla_next_warn_at=None)
                    started = time.perf_counter()
                    real(ids)
                    runs.append(time.perf_counter() - started)
            figures[f"refresh_{label}_us"] = min(runs) / len(ids) * 1e6
        sla_services._shape = shape
        figures["cases"] = len(ids)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--sla", choices=("on", "off"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.sla == "on")))
        return
    import ingest

    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "demo.csv"
        count = ingest.write_demo_csv(csv_path, args.items)
        print(f"{count:,} demo items; load average {os.getloadavg()[0]:.1f}")
        for round_ in range(args.rounds):
            for mode in ("off", "on"):
                database = Path(tmp) / f"sla-{mode}-{round_}.sqlite3"
                env = {
                    **os.environ,
                    "CARELINE_LOG_LEVEL": "WARNING",
                    "CARELINE_VAR_DIR": tmp,
                    "CARELINE_TRIAGE_ON_INGEST": "0",
                    "DATABASE_URL": f"sqlite:///{database}",
                }
                out = subprocess.run(  # noqa: S603 - our own script
                    [sys.executable, __file__, "--child", str(csv_path), "--sla", mode],
                    env=env,
                    check=True,
                    capture_output=True,
                    text=True,
                )
                f = json.loads(out.stdout.strip().splitlines()[-1])
                line = (
                    f"SLA {mode:<3} import {f['import_rate']:>6,.0f} items/s "
                    f"({f['import_seconds']:.2f} s, refresh {f['refresh_seconds']:.2f} s)"
                )
                if mode == "on":
                    line += (
                        f" | refresh_sla over {f['cases']:,} cases: "
                        f"{f['refresh_shared_us']:.0f} us/case shared shapes, "
                        f"{f['refresh_each_us']:.0f} us/case one by one"
                    )
                print(line)


if __name__ == "__main__":
    main()
