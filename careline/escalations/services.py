"""Escalation: run the supervisors' rules on a case and apply what they decide.

``evaluate_case`` gathers the case's facts, runs the rules in force (``careline.workflow``),
and for rules that matched and were not applied to this case before, applies the plan: team,
owner, priority, status, due time, notifications, the customer's notice. Everything is
recorded as CaseEvents; the ESCALATED event holds each decision and the path it took.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone

from careline.accounts.models import Role, Team, User
from careline.assessments.models import FALLBACK_TOPIC, Assessment
from careline.cases import hooks as cases_hooks
from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.cases.services import CaseActionError, transition_case
from careline.cases.workflow import OPEN_STATUSES, Status, TransitionError, check_transition
from careline.escalations.facts import build_facts
from careline.escalations.models import (
    Crisis,
    EscalationRuleSet,
    Notification,
    NotificationKind,
    NotificationTarget,
    NotifyChannel,
)
from careline.escalations.notify import queue_notification
from careline.inbox.models import Direction, Message
from careline.workflow.assignment import AgentState, Skills, choose_assignee
from careline.workflow.escalation import EscalationPlan, plan_escalation
from careline.workflow.rules import (
    DEFAULT_RULES,
    AssignTeam,
    Decision,
    Rule,
    evaluate,
    rules_from_json,
    rules_to_json,
)
from careline.workflow.sla import PRIORITY_RANK
from careline.workflow.sla import Priority as SlaPriority

log = logging.getLogger(__name__)

MAX_REASON_CHARS = 2000
EXCERPT_CHARS = 280
CHUNK = 200


class EscalationError(ValueError):
    """A supervisor's input that cannot be saved; the message says why."""


# -- rules in force ---------------------------------------------------------------------------


def current_ruleset() -> EscalationRuleSet | None:
    return EscalationRuleSet.objects.order_by("-version").first()


def current_rules() -> list[Rule]:
    """The newest stored version, or DEFAULT_RULES when none was ever saved."""
    ruleset = current_ruleset()
    if ruleset is None:
        return list(DEFAULT_RULES)
    return rules_from_json(ruleset.rules)


def save_rules(*, text: str, actor: User, note: str = "") -> EscalationRuleSet:
    """Store a new version of the rules. Raises RuleValidationError (every bad field named)
    and stores nothing when the JSON is not valid."""
    import json

    rules = rules_from_json(text)
    with transaction.atomic():
        last = EscalationRuleSet.objects.select_for_update().order_by("-version").first()
        return EscalationRuleSet.objects.create(
            version=(last.version + 1) if last else 1,
            rules=json.loads(rules_to_json(rules)),
            note=note.strip()[:200],
            created_by=actor,
        )


# -- owners -------------------------------------------------------------------------------------


def _open_counts(user_ids: Iterable[int]) -> dict[int, int]:
    rows = (
        Conversation.objects.filter(
            assignee_id__in=list(user_ids), status__in=[str(s) for s in OPEN_STATUSES]
        )
        .values("assignee_id")
        .annotate(n=Count("id"))
    )
    return {r["assignee_id"]: r["n"] for r in rows}


def _candidates(team: Team) -> list[AgentState]:
    """The team's people as the assignment core sees them. Uses the assignment app's
    ``candidates_for_team`` when it offers one (skills, availability, limits)."""
    try:
        module = importlib.import_module("careline.assignment.services")
        offered = getattr(module, "candidates_for_team", None)
    except ImportError:
        offered = None
    if offered is not None:
        return list(offered(team))
    # Agents take escalated cases; the team's supervisor is the fallback owner.
    members = list(team.members.filter(is_active=True, role=Role.AGENT).order_by("id"))
    counts = _open_counts(m.pk for m in members)
    return [
        AgentState(
            id=m.pk,
            teams=frozenset({team.name}),
            skills=Skills(),
            open_cases=counts.get(m.pk, 0),
            name=m.username,
        )
        for m in members
    ]


def _supervisor_for(team: Team | None) -> tuple[User | None, str]:
    """The least loaded supervisor of ``team``, else of anyone, else an admin."""
    people = User.objects.filter(is_active=True)
    pools = []
    if team is not None:
        pools.append(
            (people.filter(role=Role.SUPERVISOR, teams=team), f"a supervisor of '{team.name}'")
        )
    pools.append((people.filter(role=Role.SUPERVISOR), "a supervisor"))
    pools.append((people.filter(role=Role.ADMIN), "an admin (no supervisor exists)"))
    for queryset, label in pools:
        found = list(queryset.order_by("id"))
        if found:
            counts = _open_counts(u.pk for u in found)
            chosen = min(found, key=lambda u: (counts.get(u.pk, 0), u.pk))
            return chosen, f"{label}: {chosen.username} ({counts.get(chosen.pk, 0)} open cases)"
    return None, "nobody can own it: there is no supervisor or admin"


@dataclass
class _Owner:
    team: Team | None
    team_changed: bool
    user: User | None
    reason: str
    notes: list[str] = field(default_factory=list)


def _choose_owner(
    case: Conversation, plan: EscalationPlan, team_rule: Decision | None, earlier_order: int | None
) -> _Owner:
    notes: list[str] = []
    team = case.team
    team_changed = False
    if plan.team is not None and team_rule is not None:
        wanted = Team.objects.filter(name__iexact=plan.team).first()
        if wanted is None:
            notes.append(f"no team named '{plan.team}' exists; set it up under Teams")
        elif earlier_order is not None and earlier_order < team_rule.rule.order:
            notes.append(
                f"'{team_rule.rule.name}' wanted team '{plan.team}'; "
                "the team of an earlier rule keeps it"
            )
        elif team is None or team.pk != wanted.pk:
            team, team_changed = wanted, True
    if plan.user is not None:
        named = User.objects.filter(username=plan.user, is_active=True).first()
        if named is not None:
            return _Owner(team, team_changed, named, f"named by the rule: {named.username}", notes)
        notes.append(f"no active user named '{plan.user}'")
    current = case.assignee
    if team_changed and team is not None:
        if current is not None and current.teams.filter(pk=team.pk).exists():
            return _Owner(
                team, True, current, f"{current.username} is already in '{team.name}'", notes
            )
        topic = case.triage_topic if case.triage_topic != FALLBACK_TOPIC else ""
        choice = choose_assignee(_candidates(team), team=team.name, topic=topic or None)
        if choice.agent_id is not None:
            person = User.objects.get(pk=choice.agent_id)
            return _Owner(team, True, person, choice.reason, notes)
        notes.append(choice.reason)
    elif current is not None and current.is_active:
        return _Owner(team, team_changed, current, f"stays with {current.username}", notes)
    supervisor, why = _supervisor_for(team)
    return _Owner(team, team_changed, supervisor, why, notes)


# -- evaluation -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationResult:
    """What ``evaluate_case`` did: ``escalated`` False when nothing new matched (``reason``)."""

    conversation_id: int
    escalated: bool
    reason: str
    rules: tuple[str, ...] = ()
    owner: str | None = None
    due_at: datetime | None = None


def _previous(case: Conversation) -> list[dict[str, Any]]:
    return [
        e or {}
        for e in CaseEvent.objects.filter(conversation=case, kind=EventKind.ESCALATED).values_list(
            "data", flat=True
        )
    ]


def expected_time_phrase(minutes: int) -> str:
    """``within 30 minutes``, ``within 4 hours``, ``within 1 hour 30 minutes``."""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return "within " + " ".join(parts)


FALLBACK_NOTICE = (
    "Thank you for your patience. We have passed your message to a specialist on our team, "
    "who will get back to you {expected_time}."
)


def notice_text(case: Conversation, minutes: int) -> tuple[str, str]:
    """The customer's escalation notice and where its wording came from (the playbook, or
    careline's built-in wording when the drafting module is absent). Raises
    CaseActionError when the case gets no reply (spam, troll)."""
    expected = expected_time_phrase(minutes)
    try:
        drafting = importlib.import_module("careline.replies.drafting")
    except ImportError:
        return FALLBACK_NOTICE.format(expected_time=expected), "careline's built-in wording"
    try:
        draft = drafting.draft_reply(
            case, purpose="escalation_notice", extra={"expected_time": expected}
        )
    except drafting.DraftError as exc:
        raise CaseActionError(str(exc)) from exc
    return draft.text, f"playbook '{draft.playbook}'"


def case_link(case_id: int) -> str:
    return settings.CARELINE_BASE_URL.rstrip("/") + reverse("conversation", args=[case_id])


def _excerpt(case: Conversation) -> str:
    """The latest inbound message, redacted when triage found private data."""
    message = (
        Message.objects.filter(conversation=case, direction=Direction.INBOUND)
        .order_by("-created_at", "-id")
        .first()
    )
    if message is None:
        return ""
    assessment = Assessment.objects.filter(message=message).first()
    if assessment is not None and assessment.has_private_data:
        text = assessment.redacted
    elif assessment is None and case.triage_has_private_data:
        return "(text withheld: the case holds private data)"
    else:
        text = message.text
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def evaluate_case(
    conversation_id: int,
    *,
    trigger: str,
    now: datetime | None = None,
    rules: Sequence[Rule] | None = None,
) -> EvaluationResult:
    """Run the rules in force on the case and apply what is new.

    Idempotent: a rule already applied to this case is not applied again, so re-running
    neither re-notifies nor re-sends the customer's notice. A closed or resolved case is left
    alone. ``rules`` defaults to the rules in force (pass them to evaluate many cases).
    """
    if rules is None:
        rules = current_rules()
    with transaction.atomic():
        case = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("author", "team", "assignee")
            .annotate(channel_name=F("channel__name"))
            .get(pk=conversation_id)
        )
        if not case.is_open:
            return EvaluationResult(case.pk, False, f"the case is {case.status}")
        now = now or timezone.now()
        facts = build_facts(case, now=now)
        decisions = evaluate(rules, facts)
        previous = _previous(case)
        applied = {r for data in previous for r in data.get("rules", [])}
        new = [d for d in decisions if d.rule.id not in applied]
        if not new:
            why = "no rule matched" if not decisions else "every matching rule was applied before"
            return EvaluationResult(case.pk, False, why)
        return _apply(case, new, previous, trigger=trigger, now=now)


def _apply(
    case: Conversation,
    decisions: Sequence[Decision],
    previous: list[dict[str, Any]],
    *,
    trigger: str,
    now: datetime,
) -> EvaluationResult:
    plan = plan_escalation(decisions, current_priority=case.priority)
    team_rule = next(
        (d for d in decisions if any(isinstance(a, AssignTeam) for a in d.actions)), None
    )
    earlier_orders = [int(p["team_order"]) for p in previous if p.get("team_order") is not None]
    owner = _choose_owner(case, plan, team_rule, min(earlier_orders) if earlier_orders else None)

    minutes = plan.due_within or settings.CARELINE_ESCALATION_DEFAULT_DUE_MINUTES
    due_at = now + timedelta(minutes=minutes)
    last_escalated = case.escalated_at
    unanswered = case.escalation_due_at is not None and (
        case.last_agent_reply_at is None
        or (last_escalated is not None and case.last_agent_reply_at < last_escalated)
    )
    if unanswered and case.escalation_due_at is not None and case.escalation_due_at < due_at:
        due_at = case.escalation_due_at  # the earlier promise still stands
    notice_sent_before = any(p.get("notice_within") for p in previous)
    notice_within = plan.notice_within if not notice_sent_before else None
    path = list(plan.path)
    reason = "; ".join(path)[:MAX_REASON_CHARS]
    notes = list(plan.notes) + owner.notes
    if plan.notice_within and notice_sent_before:
        notes.append("the customer was already told the case is escalated")

    CaseEvent.objects.create(
        conversation=case,
        kind=EventKind.ESCALATED,
        reason=reason,
        data={
            "trigger": trigger,
            "rules": [d.rule.id for d in decisions],
            "decisions": [d.to_dict() for d in decisions],
            "path": path,
            "notes": notes,
            "team": owner.team.name if owner.team else None,
            "team_order": team_rule.rule.order if owner.team_changed and team_rule else None,
            "owner": owner.user.username if owner.user else None,
            "owner_reason": owner.reason,
            "priority": str(plan.priority),
            "due_at": due_at.isoformat(),
            "due_within": minutes,
            "notice_within": notice_within,
            "notifications": [f"{n.channel}:{n.to}" for n in plan.notifications],
        },
        created_at=now,
    )
    changes: dict[str, Any] = {"escalation_due_at": due_at, "escalation_reason": reason}
    if owner.team_changed and owner.team is not None:
        changes["team"] = owner.team
        CaseEvent.objects.create(
            conversation=case,
            kind=EventKind.TEAM_ASSIGNED,
            reason=f"escalation: {team_rule.reason if team_rule else reason}"[:MAX_REASON_CHARS],
            data={"from": case.team.name if case.team else None, "to": owner.team.name},
            created_at=now,
        )
    if owner.user is not None and owner.user.pk != case.assignee_id:
        changes["assignee"] = owner.user
        CaseEvent.objects.create(
            conversation=case,
            kind=EventKind.ASSIGNED,
            reason=f"escalation owner: {owner.reason}"[:MAX_REASON_CHARS],
            data={
                "from": case.assignee.username if case.assignee else None,
                "to": owner.user.username,
            },
            created_at=now,
        )
    previous_priority = case.priority
    raised = PRIORITY_RANK[plan.priority] > PRIORITY_RANK[SlaPriority(previous_priority)]
    if raised:
        changes["priority"] = str(plan.priority)
        CaseEvent.objects.create(
            conversation=case,
            kind=EventKind.PRIORITY_CHANGED,
            reason=f"escalation: {reason}"[:MAX_REASON_CHARS],
            data={"from": previous_priority, "to": str(plan.priority)},
            created_at=now,
        )
    Conversation.objects.filter(pk=case.pk).update(**changes)
    for name, value in changes.items():
        setattr(case, name, value)
    if raised:
        cases_hooks.priority_changed(case.pk, previous=previous_priority, to=case.priority, at=now)
    _escalate_status(case, reason)
    if notice_within is not None:
        _send_notice(case, notice_within)
    kind = NotificationKind.BREACH if trigger == "sla_breach" else NotificationKind.ESCALATION
    rule_key = "+".join(sorted(d.rule.id for d in decisions))
    for action in plan.notifications:
        queue_notification(
            kind=kind,
            target_name=action.to,
            channel=action.channel,
            subject=f"Case #{case.pk} escalated ({case.priority}): {decisions[0].rule.name}",
            text=_notification_text(case, plan, owner, due_at),
            reason=reason,
            link=case_link(case.pk),
            dedupe_key=f"escalation:{case.pk}:{rule_key}:{action.channel}:{action.to}",
            conversation=case,
        )
    return EvaluationResult(
        case.pk,
        True,
        reason,
        rules=tuple(d.rule.id for d in decisions),
        owner=owner.user.username if owner.user else None,
        due_at=due_at,
    )


def _escalate_status(case: Conversation, reason: str) -> None:
    try:
        check_transition(case.status, Status.ESCALATED, actor_is_supervisor=True)
    except TransitionError:
        return  # already escalated
    try:
        transition_case(case, to=Status.ESCALATED, actor=None, reason=reason)
    except CaseActionError:
        return
    case.status = Status.ESCALATED


def _send_notice(case: Conversation, minutes: int) -> None:
    from careline.replies.services import queue_reply

    try:
        addressed = Message.objects.filter(
            conversation=case, direction=Direction.INBOUND, indirect=False
        ).exists()
        if not addressed:
            raise CaseActionError(
                "the posts were found by listening, not addressed to us; "
                "careline never answers those by itself"
            )
        text, source = notice_text(case, minutes)
        with transaction.atomic():
            queue_reply(case, text=text, public=case.visibility == "public", actor=None)
    except CaseActionError as exc:
        CaseEvent.objects.create(
            conversation=case,
            kind=EventKind.NOTE,
            reason=f"The escalation notice could not be queued: {exc}"[:MAX_REASON_CHARS],
            data={"notice_within": minutes},
        )
        return
    log.debug("escalation notice for case %s from %s", case.pk, source)


def _notification_text(
    case: Conversation, plan: EscalationPlan, owner: _Owner, due_at: datetime
) -> str:
    lines = [f"Why: {p}" for p in plan.path]
    lines.append(f"Owner: {owner.user.username if owner.user else 'nobody'} ({owner.reason})")
    if owner.team is not None:
        lines.append(f"Team: {owner.team.name}")
    lines.append(f"Due: {due_at:%Y-%m-%d %H:%M} UTC")
    excerpt = _excerpt(case)
    if excerpt:
        channel = getattr(case, "channel_name", None) or case.channel.name
        lines.append(f"Latest message ({channel}): {excerpt}")
    return "\n".join(lines)


def evaluate_cases(conversation_ids: Iterable[int], *, trigger: str) -> int:
    """Evaluate each case; one failing case never stops the others. Returns how many
    escalated."""
    escalated = 0
    rules = current_rules()
    for pk in sorted(set(conversation_ids)):
        try:
            if evaluate_case(pk, trigger=trigger, rules=rules).escalated:
                escalated += 1
        except Conversation.DoesNotExist:
            continue
        except Exception:
            log.exception("escalation rules failed on case %s", pk)
    return escalated


# -- hooks ----------------------------------------------------------------------------------------


def after_inbound(conversation_ids: Sequence[int]) -> None:
    """Called inside the ingest transaction: queue one evaluation task per chunk of cases,
    after commit, so ingest never waits on the rules."""
    if not conversation_ids or not settings.CARELINE_ESCALATE_ON_INGEST:
        return
    ids = sorted(set(conversation_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        transaction.on_commit(partial(_enqueue_evaluation, chunk, "inbound"))


def after_sla_breach(conversation_id: int) -> None:
    """Called inside the transaction that recorded the breach: evaluate after commit."""
    transaction.on_commit(partial(_enqueue_evaluation, [conversation_id], "sla_breach"))


def _enqueue_evaluation(conversation_ids: list[int], trigger: str) -> None:
    from careline.escalations import tasks

    tasks.evaluate_cases.enqueue(conversation_ids, trigger)


# -- overdue escalations -------------------------------------------------------------------------


def sweep_overdue_escalations(*, now: datetime | None = None) -> int:
    """Tell the owner's supervisor about escalations whose due time passed with no agent
    reply since. Once per escalation due time. Returns how many notifications were queued."""
    now = now or timezone.now()
    queued = 0
    told = Notification.objects.filter(
        conversation=OuterRef("pk"),
        kind=NotificationKind.OVERDUE,
        created_at__gte=OuterRef("escalation_due_at"),
    )
    cases = (
        Conversation.objects.filter(
            escalation_due_at__lte=now, status__in=[str(s) for s in OPEN_STATUSES]
        )
        .exclude(Exists(told))
        .select_related("assignee", "team", "channel")
        .order_by("escalation_due_at", "id")[:500]
    )
    for case in cases:
        try:
            queued += _notify_overdue(case, now=now)
        except Exception:
            log.exception("overdue escalation of case %s", case.pk)
    return queued


def _notify_overdue(case: Conversation, *, now: datetime) -> int:
    assert case.escalation_due_at is not None
    since = (
        CaseEvent.objects.filter(conversation=case, kind=EventKind.ESCALATED)
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)
        .first()
    )
    if since is None:
        return 0
    if case.last_agent_reply_at is not None and case.last_agent_reply_at >= since:
        return 0
    team = case.team
    if team is None and case.assignee is not None:
        team = case.assignee.teams.order_by("id").first()
    supervisor, why = _supervisor_for(team)
    owner = case.assignee.username if case.assignee else "nobody"
    late = int((now - case.escalation_due_at).total_seconds() // 60)
    text = "\n".join(
        [
            f"Owner: {owner}; due {case.escalation_due_at:%Y-%m-%d %H:%M} UTC ({late} min ago)",
            f"Why it was escalated: {case.escalation_reason}",
            f"Supervisor: {supervisor.username if supervisor else 'none'} ({why})",
        ]
    )
    key = f"overdue:{case.pk}:{case.escalation_due_at.isoformat()}"
    count = 0
    targets: list[tuple[str, str]] = []
    if supervisor is not None and supervisor.email:
        target_name = _personal_target(supervisor)
        targets.append((target_name, NotifyChannel.EMAIL))
    else:
        targets.extend(
            (t.name, t.channel)
            for t in NotificationTarget.objects.filter(name="supervisors", enabled=True)
        )
        if not targets:
            targets.append(("supervisors", NotifyChannel.CHAT))
    for name, channel in targets:
        dedupe_key = f"{key}:{channel}:{name}"
        if Notification.objects.filter(dedupe_key=dedupe_key).exists():
            continue
        queue_notification(
            kind=NotificationKind.OVERDUE,
            target_name=name,
            channel=channel,
            subject=f"Escalated case #{case.pk} is overdue ({case.priority})",
            text=text,
            reason=f"no agent reply since the escalation; {owner} owns it",
            link=case_link(case.pk),
            dedupe_key=dedupe_key,
            conversation=case,
        )
        count += 1
    return count


def _personal_target(user: User) -> str:
    """An e-mail target for one supervisor (``supervisor-<username>``), kept in step with
    the address on their account."""
    from django.utils.text import slugify

    name = f"supervisor-{slugify(user.username)}"[:64]
    target, created = NotificationTarget.objects.get_or_create(
        name=name,
        channel=NotifyChannel.EMAIL,
        defaults={"config": {"emails": [user.email]}},
    )
    if not created and target.emails != [user.email]:
        target.config = {"emails": [user.email]}
        target.updated_at = timezone.now()
        target.save(update_fields=["config", "updated_at"])
    return name


# -- crises -------------------------------------------------------------------------------------


def declare_crisis(*, title: str, topic: str, keywords: str, actor: User) -> Crisis:
    """Start a crisis: the ``crisis`` fact is true for the cases it covers, supervisors are
    alerted on every channel set up for "supervisors", and open cases it covers are
    evaluated again. Raises EscalationError for a missing title."""
    if not actor.is_supervisor_or_admin:
        raise EscalationError("only a supervisor or admin may declare a crisis")
    title = title.strip()
    if not title:
        raise EscalationError("give the crisis a title")
    from django.utils.text import slugify

    with transaction.atomic():
        crisis = Crisis.objects.create(
            title=title[:120],
            topic=slugify(topic.strip())[:64],
            keywords="\n".join(k.strip() for k in keywords.splitlines() if k.strip()),
            started_by=actor,
        )
        scope = []
        if crisis.topic:
            scope.append(f"topic '{crisis.topic}'")
        if crisis.keyword_list:
            scope.append("keywords " + ", ".join(f"'{k}'" for k in crisis.keyword_list))
        covers = " or ".join(scope) if scope else "every case"
        channels = list(
            NotificationTarget.objects.filter(name="supervisors", enabled=True).values_list(
                "channel", flat=True
            )
        ) or [NotifyChannel.CHAT]
        for channel in channels:
            queue_notification(
                kind=NotificationKind.CRISIS,
                target_name="supervisors",
                channel=channel,
                subject=f"Crisis declared: {crisis.title}",
                text=f"Declared by {actor.username}. Covers {covers}.",
                reason=f"{actor.username} declared a crisis",
                link=settings.CARELINE_BASE_URL.rstrip("/") + reverse("crisis"),
                dedupe_key=f"crisis:{crisis.pk}:{channel}:supervisors",
                crisis=crisis,
            )
        open_ids = list(
            Conversation.objects.filter(status__in=[str(s) for s in OPEN_STATUSES])
            .order_by("-last_message_at")
            .values_list("pk", flat=True)[:1000]
        )
        for start in range(0, len(open_ids), CHUNK):
            chunk = open_ids[start : start + CHUNK]
            transaction.on_commit(partial(_enqueue_evaluation, chunk, "crisis"))
    return crisis


def end_crisis(*, crisis: Crisis, actor: User) -> Crisis:
    if not actor.is_supervisor_or_admin:
        raise EscalationError("only a supervisor or admin may end a crisis")
    updated = Crisis.objects.filter(pk=crisis.pk, ended_at__isnull=True).update(
        ended_at=timezone.now(), ended_by=actor
    )
    if not updated:
        raise EscalationError("the crisis has ended already")
    crisis.refresh_from_db()
    return crisis


# -- notification targets -----------------------------------------------------------------------


def save_target(
    *, name: str, channel: str, address: str, enabled: bool, actor: User
) -> NotificationTarget:
    """Create or update the target ``name`` on ``channel``. ``address``: comma- or
    line-separated e-mail addresses, or the chat webhook's https URL. Raises EscalationError."""
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator, validate_email
    from django.utils.text import slugify

    if not actor.is_supervisor_or_admin:
        raise EscalationError("only a supervisor or admin may change notification targets")
    slug = slugify(name.strip())[:64]
    if not slug:
        raise EscalationError("name: give the target the name rules use, e.g. 'supervisors'")
    if channel not in NotifyChannel.values:
        raise EscalationError(f"channel: must be 'email' or 'chat', got {channel!r}")
    config: dict[str, Any]
    if channel == NotifyChannel.EMAIL:
        emails = [e.strip() for e in address.replace(",", "\n").splitlines() if e.strip()]
        if not emails:
            raise EscalationError("address: give at least one e-mail address")
        for email in emails:
            try:
                validate_email(email)
            except ValidationError:
                raise EscalationError(f"address: {email!r} is not an e-mail address") from None
        config = {"emails": emails}
    else:
        url = address.strip()
        try:
            URLValidator(schemes=["https"])(url)
        except ValidationError:
            raise EscalationError("address: the webhook must be an https:// URL") from None
        config = {"webhook_url": url}
    target, created = NotificationTarget.objects.get_or_create(
        name=slug, channel=channel, defaults={"config": config, "enabled": enabled}
    )
    if not created:
        target.config = config
        target.enabled = enabled
        target.updated_at = timezone.now()
        target.save(update_fields=["config", "enabled", "updated_at"])
    return target
