from __future__ import annotations

import subprocess
import sys

import pytest

from careline.cli import ALIASES


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "careline.cli", *args], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    ("spoken", "command"), [("import", "import_items"), ("demo-data", "demo_data")]
)
def test_the_careline_command_speaks_its_documented_names(spoken: str, command: str) -> None:
    result = run(spoken, "--help")

    assert result.returncode == 0, result.stderr
    assert f"usage: careline {command}" in result.stdout
    assert ALIASES.get(spoken, spoken.replace("-", "_")) == command


def test_an_unknown_command_fails_with_a_message() -> None:
    result = run("frobnicate")

    assert result.returncode == 1
    assert "Unknown command: 'frobnicate'" in result.stderr
