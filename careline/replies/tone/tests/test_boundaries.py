from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import careline.replies.tone

PACKAGE = Path(careline.replies.tone.__file__).parent
ALLOWED = (
    "careline.replies.tone",
    "careline.triage.analysers.private_data",
    "careline.triage.base",
    "careline.lib.",
    "careline.connectors.x.rules",
    "careline.connectors.bluesky.richtext",
)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_tone_guard_imports_neither_django_nor_other_careline_apps() -> None:
    modules = list(PACKAGE.glob("*.py"))
    assert len(modules) >= 7
    offending = {
        f"{path.name}: {name}"
        for path in modules
        for name in _imports(path)
        if name.split(".")[0] == "django"
        or (name.startswith("careline") and not name.startswith(ALLOWED))
    }
    assert offending == set()


def test_importing_and_running_the_guard_loads_no_django() -> None:
    code = (
        "import sys\n"
        "from careline.replies.tone import ReplyContext, check_reply\n"
        "from careline.replies.tone.cli import main\n"
        "check_reply('Hi Sam, sorry about that', ReplyContext(platform='x'))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
