"""The sweeper records each warning and breach once per clock cycle, however often it runs,
and tells the escalation hook about each breach."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from careline.cases import hooks
from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.inbox.models import Channel
from careline.sla import services
from careline.sla.services import sweep_sla

from .conftest import post, utc

pytestmark = pytest.mark.django_db

T = utc(2026, 11, 2, 9, 0)  # a Monday


@pytest.fixture
def breaches(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def record(conversation_id: int, *, clock: str, reason: str, at: datetime) -> None:
        calls.append({"case": conversation_id, "clock": clock, "reason": reason, "at": at})

    monkeypatch.setattr(hooks, "sla_breached", record)
    return calls


def sla_events(case: Conversation) -> list[tuple[str, str, str]]:
    return [
        (e.kind, e.data["sla_key"], e.reason)
        for e in CaseEvent.objects.filter(
            conversation=case, kind__in=[EventKind.SLA_WARNING, EventKind.SLA_BREACHED]
        ).order_by("id")
    ]


def test_a_warning_then_a_breach_are_recorded_once_each(
    generic_channel: Channel, breaches: list[dict[str, Any]]
) -> None:
    with time_machine.travel(T, tick=False):
        case = post(generic_channel, "p1", T)
        assert sweep_sla().checked == 0  # nothing due yet

    key = "first_response@2026-11-02T09:00:00+00:00"
    with time_machine.travel(T + timedelta(minutes=50), tick=False):
        first = sweep_sla()
        again = sweep_sla()
    assert (first.checked, first.warnings, first.breaches) == (1, 1, 0)
    assert (again.checked, again.warnings, again.breaches) == (0, 0, 0)
    assert sla_events(case) == [
        (
            "sla_warning",
            f"{key}:warning",
            "First response due 2026-11-02 10:00 UTC: warning from 2026-11-02 09:48 UTC, "
            "10 min of business time left at 2026-11-02 09:50 UTC [Default normal]",
        )
    ]
    assert breaches == []

    for minutes in (61, 62, 90):
        with time_machine.travel(T + timedelta(minutes=minutes), tick=False):
            sweep_sla()
    events = sla_events(case)
    assert [kind for kind, _, _ in events] == ["sla_warning", "sla_breached"]
    assert events[1][1] == f"{key}:breach"
    assert events[1][2] == (
        "First response breached: due 2026-11-02 10:00 UTC, not done yet, 1 min of business "
        "time overdue [Default normal]"
    )
    case.refresh_from_db()
    assert case.sla_breached_at == utc(2026, 11, 2, 10, 0)
    assert breaches == [
        {
            "case": case.pk,
            "clock": "first_response",
            "reason": events[1][2],
            "at": T + timedelta(hours=1),
        }
    ]


def test_a_late_sweep_records_the_breach_without_the_warning(
    generic_channel: Channel, breaches: list[dict[str, Any]]
) -> None:
    with time_machine.travel(T, tick=False):
        case = post(generic_channel, "p1", T)
    with time_machine.travel(T + timedelta(hours=2), tick=False):
        result = sweep_sla()
    assert (result.warnings, result.breaches) == (0, 1)
    assert [kind for kind, _, _ in sla_events(case)] == ["sla_breached"]
    assert [call["clock"] for call in breaches] == ["first_response"]


def test_a_later_clock_still_breaches_while_an_earlier_one_stays_overdue(
    generic_channel: Channel, breaches: list[dict[str, Any]]
) -> None:
    with time_machine.travel(T, tick=False):
        post(generic_channel, "p1", T)
    with time_machine.travel(T + timedelta(hours=2), tick=False):
        assert sweep_sla().breaches == 1  # first response
    with time_machine.travel(T + timedelta(hours=20), tick=False):
        # The resolution clock's warning (24 h target, 20 % left at 19:12).
        assert (sweep_sla().warnings, sweep_sla().checked) == (1, 0)
    with time_machine.travel(T + timedelta(hours=24, minutes=1), tick=False):
        assert sweep_sla().breaches == 1
        assert sweep_sla().checked == 0
    assert [call["clock"] for call in breaches] == ["first_response", "resolution"]


def test_an_answer_after_the_due_time_has_its_breach_recorded_by_the_next_sweep(
    generic_channel: Channel, breaches: list[dict[str, Any]]
) -> None:
    with time_machine.travel(T, tick=False):
        case = post(generic_channel, "p1", T)
    # Answered ten minutes late, before any sweep saw the breach.
    hooks.reply_queued(case.pk, public=True, system=False, at=T + timedelta(minutes=70))
    assert sla_events(case) == []
    with time_machine.travel(T + timedelta(minutes=70, seconds=20), tick=False):
        first = sweep_sla()
        again = sweep_sla()
    assert (first.checked, first.breaches, again.checked) == (1, 1, 0)
    assert [kind for kind, _, _ in sla_events(case)] == ["sla_breached"]
    assert sla_events(case)[0][2] == (
        "First response breached: answered at 2026-11-02 10:10 UTC, 10 min of business time "
        "after the due time 2026-11-02 10:00 UTC [Default normal]"
    )


def test_one_failing_case_does_not_stop_the_sweep(
    generic_channel: Channel, monkeypatch: pytest.MonkeyPatch, breaches: list[dict[str, Any]]
) -> None:
    with time_machine.travel(T, tick=False):
        bad = post(generic_channel, "p1", T, author="u1")
        good = post(generic_channel, "p2", T, author="u2")
    real = services.sweep_case

    def flaky(conversation_id: int, *, now: datetime) -> tuple[int, int]:
        if conversation_id == bad.pk:
            raise RuntimeError("boom")
        return real(conversation_id, now=now)

    monkeypatch.setattr(services, "sweep_case", flaky)
    with time_machine.travel(T + timedelta(hours=2), tick=False):
        result = sweep_sla()
    assert (result.checked, result.breaches, result.failed) == (2, 1, [bad.pk])
    assert sla_events(bad) == []
    assert len(sla_events(good)) == 1
    # The failed case is tried again on the next run.
    monkeypatch.setattr(services, "sweep_case", real)
    with time_machine.travel(T + timedelta(hours=2, seconds=30), tick=False):
        assert (sweep_sla().checked, len(sla_events(bad))) == (1, 1)


def test_the_sweep_command_runs_the_sla_sweep(
    generic_channel: Channel, breaches: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    with time_machine.travel(T, tick=False):
        post(generic_channel, "p1", T)
    with time_machine.travel(T + timedelta(hours=2), tick=False):
        call_command("sweep")
    assert "SLA: checked 1 cases, recorded 0 warnings and 1 breaches" in capsys.readouterr().out


def test_the_schedule_sweeps_sla_every_30_seconds() -> None:
    from careline.schedule import SCHEDULE

    sla = [p for p in SCHEDULE if p.task == "careline.sla.tasks.sweep_sla"]
    assert [p.every_seconds for p in sla] == [30]
