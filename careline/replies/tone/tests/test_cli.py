from __future__ import annotations

import io
import json
import subprocess
import sys

from careline.replies.tone.cli import run_check


def test_tone_check_answers_each_line_in_order_and_reports_bad_lines() -> None:
    lines = [
        json.dumps(
            {
                "id": "r1",
                "text": "Calm down, Sam.",
                "context": {"kind": "complaint", "platform": "x", "public": True},
            }
        ),
        "{not json",
        json.dumps({"id": 7, "text": ["no"]}),
        "",
        json.dumps(
            {"id": "r4", "text": "Hi Sam! Yes, it's vegan.", "context": {"kind": "question"}}
        ),
    ]
    out = io.StringIO()
    code = run_check(io.StringIO("\n".join(lines) + "\n"), out)
    results = [json.loads(line) for line in out.getvalue().splitlines()]
    assert code == 1
    assert [r["id"] for r in results] == ["r1", None, 7, "r4"]
    assert results[1] == {
        "id": None,
        "error": "line 2: not JSON (Expecting property name enclosed in double quotes at column 2)",
    }
    assert results[2] == {"id": 7, "error": "line 3: text must be a string"}
    assert [f["category"] for f in results[0]["findings"]] == ["dismissive", "no_acknowledgment"]
    assert results[0]["findings"][0] == {
        "category": "dismissive",
        "severity": "warning",
        "start": 0,
        "end": 9,
        "message": "Brushes off the person or the problem; they will feel unheard.",
        "suggestion": "Take the problem seriously: say you understand why it matters and what "
        "you will do next.",
    }
    assert results[3] == {
        "id": "r4",
        "ok": True,
        "findings": [],
        "needs_approval": False,
        "approval_reasons": [],
    }


def test_the_careline_command_runs_tone_check_on_stdin() -> None:
    line = json.dumps({"id": 1, "text": "Thanks Sam, sorry about the wait!", "context": {}})
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from careline.cli import main; raise SystemExit(main())",
            "tone-check",
        ],
        input=line + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert json.loads(result.stdout) == {
        "id": 1,
        "ok": True,
        "findings": [],
        "needs_approval": False,
        "approval_reasons": [],
    }
