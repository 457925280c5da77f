"""Settings of the assessments app, each with a safe default.

``CARELINE_TRIAGE_ON_INGEST`` is declared in careline/settings.py. ``CARELINE_COMPETITORS``
(comma-separated names) is read from the environment here, unless a settings module defines it
(tests override it with the ``settings`` fixture).
"""

from __future__ import annotations

from django.conf import settings

from careline.lib.env import env_bool, env_list


def triage_on_ingest() -> bool:
    return bool(
        getattr(settings, "CARELINE_TRIAGE_ON_INGEST", env_bool("CARELINE_TRIAGE_ON_INGEST", True))
    )


def competitors() -> list[str]:
    """Competitor names whose mention is legitimacy evidence (docs/triage.md)."""
    configured = getattr(settings, "CARELINE_COMPETITORS", None)
    if configured is None:
        configured = env_list("CARELINE_COMPETITORS", [])
    return [str(name).strip() for name in configured if str(name).strip()]
