from __future__ import annotations

from django_tasks import task

from careline.sla import services


@task()
def sweep_sla() -> dict[str, int]:
    """Record due SLA warnings and breaches (every 30 s, careline/schedule.py)."""
    result = services.sweep_sla()
    return {
        "checked": result.checked,
        "warnings": result.warnings,
        "breaches": result.breaches,
        "failed": len(result.failed),
    }


@task()
def refresh_open_cases() -> int:
    """Re-time every open case after a policy or business hours changed."""
    return services.refresh_open_cases()
