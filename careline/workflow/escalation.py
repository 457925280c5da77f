"""Add up the decisions of the escalation rules into one plan for the service to apply. Pure.

Rules (``careline.workflow.rules``) may disagree: two teams, two notices. The plan settles it
the same way every time and records what was overridden.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from careline.workflow.rules import (
    AssignTeam,
    AssignUser,
    Decision,
    Notify,
    RaisePriority,
    SendEscalationNotice,
    SetDue,
)
from careline.workflow.sla import PRIORITY_RANK, Priority


@dataclass(frozen=True)
class EscalationPlan:
    """What the decisions add up to, for the service that applies them.

    The first rule (in order) that assigns a team wins, likewise for a person; priority only
    rises; every distinct notification is kept; one customer notice with the shortest promised
    time; the due time is the shortest ``set_due``, else the notice's promise. ``path`` lists
    each decision's reason for the record; ``notes`` says what was overridden.
    """

    escalate: bool
    team: str | None = None
    user: str | None = None
    priority: Priority = Priority.NORMAL
    notifications: tuple[Notify, ...] = ()
    notice_within: int | None = None
    due_within: int | None = None
    path: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def has_owner(self) -> bool:
        return self.team is not None or self.user is not None


def plan_escalation(
    decisions: Sequence[Decision], *, current_priority: Priority | str
) -> EscalationPlan:
    """Merge ``decisions`` (from ``evaluate``) into one plan. No decisions: nothing to do."""
    priority = Priority(current_priority)
    if not decisions:
        return EscalationPlan(escalate=False, priority=priority)
    team = user = None
    team_rule = user_rule = ""
    notes: list[str] = []
    notifications: list[Notify] = []
    notice: int | None = None
    due: int | None = None
    for decision in decisions:
        name = decision.rule.name
        for action in decision.actions:
            if isinstance(action, AssignTeam):
                if team is None:
                    team, team_rule = action.team, name
                elif action.team != team:
                    notes.append(f"'{name}' wanted team '{action.team}'; '{team_rule}' came first")
            elif isinstance(action, AssignUser):
                if user is None:
                    user, user_rule = action.user, name
                elif action.user != user:
                    notes.append(f"'{name}' wanted '{action.user}'; '{user_rule}' came first")
            elif isinstance(action, RaisePriority):
                if PRIORITY_RANK[action.to] > PRIORITY_RANK[priority]:
                    priority = action.to
            elif isinstance(action, Notify):
                if action not in notifications:
                    notifications.append(action)
            elif isinstance(action, SendEscalationNotice):
                notice = min(notice or action.expected_within, action.expected_within)
            elif isinstance(action, SetDue):
                due = min(due or action.minutes, action.minutes)
    return EscalationPlan(
        escalate=True,
        team=team,
        user=user,
        priority=priority,
        notifications=tuple(notifications),
        notice_within=notice,
        due_within=due if due is not None else notice,
        path=tuple(d.reason for d in decisions),
        notes=tuple(notes),
    )
