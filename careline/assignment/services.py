"""The write path for assignment: automatic assignment (one case, or a batch of new cases),
agents' availability and skills, team routing, presence on a case and handovers.

Choosing is the pure core's job (``careline.workflow.assignment.choose_assignee``); this module
gathers what it needs (candidates, the case's language and topic), writes the choice and
appends a ``CaseEvent`` whose reason says why.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from careline.accounts.models import Role, Team, User
from careline.assessments.models import FALLBACK_TOPIC
from careline.assignment.models import AgentProfile, Presence, Strategy, TeamRouting
from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.cases.services import MAX_NOTE_CHARS, CaseActionError
from careline.cases.workflow import OPEN_STATUSES, Status
from careline.inbox.models import Direction, Message
from careline.ingestion import bulk
from careline.workflow.assignment import AgentState, Choice, Skills, choose_assignee

log = logging.getLogger(__name__)

PRESENCE_STALE = timedelta(seconds=45)
PRESENCE_FORGET = timedelta(hours=1)
MAX_SKILLS = 30
MAX_CASE_LIMIT = 500


# -- candidates -----------------------------------------------------------------------------


def open_case_counts(user_ids: Iterable[int]) -> dict[int, int]:
    """Open cases (new, open, pending, escalated) per assignee; absent: none."""
    rows = (
        Conversation.objects.filter(
            assignee_id__in=list(user_ids), status__in=[str(s) for s in OPEN_STATUSES]
        )
        .values("assignee_id")
        .annotate(n=Count("id"))
    )
    return {r["assignee_id"]: r["n"] for r in rows}


def candidates_for_team(team: Team, *, now: datetime | None = None) -> list[AgentState]:
    """The team's active members who take part in automatic assignment, as the pure core sees
    them (skills, availability at ``now``, case limit, open cases, last assignment), by id.

    A member without a profile takes part when they are an agent (supervisors and admins
    only when their profile says so). Three queries, whatever the team's size.
    """
    now = now or timezone.now()
    members = list(team.members.filter(is_active=True).order_by("id"))
    profiles = {p.user_id: p for p in AgentProfile.objects.filter(user__in=members)}
    counts = open_case_counts(m.pk for m in members)
    states: list[AgentState] = []
    for member in members:
        profile = profiles.get(member.pk)
        base = AgentState(
            id=member.pk,
            teams=frozenset({team.name}),
            open_cases=counts.get(member.pk, 0),
            name=member.username,
        )
        if profile is None:
            if member.role == Role.AGENT:
                states.append(base)
            continue
        if not profile.receives_cases:
            continue
        states.append(
            replace(
                base,
                skills=Skills(
                    languages=frozenset(profile.languages), topics=frozenset(profile.topics)
                ),
                available=profile.is_available(now),
                last_assigned_at=profile.last_assigned_at,
                max_open_cases=profile.max_open_cases,
            )
        )
    return states


def routing_of(team: Team) -> TeamRouting:
    """The team's routing; an unsaved default (least loaded, no automatic assignment) when
    none was set."""
    return TeamRouting.objects.filter(team=team).first() or TeamRouting(team=team)


def intake_team() -> Team | None:
    """The team that receives new cases without a team, if one is set."""
    routing = TeamRouting.objects.filter(intake=True).select_related("team").first()
    return routing.team if routing else None


def case_languages(conversation_ids: Sequence[int]) -> dict[int, str]:
    """The language the platform reported for each case's latest inbound message that has
    one (Mastodon does; most platforms do not). Absent: unknown."""
    rows = (
        Message.objects.filter(
            conversation_id__in=list(conversation_ids),
            direction=Direction.INBOUND,
            extra__has_key="language",
        )
        .order_by("conversation_id", "created_at", "id")
        .values_list("conversation_id", "extra")
    )
    languages: dict[int, str] = {}
    for conversation_id, extra in rows:
        value = str((extra or {}).get("language") or "").strip().lower()
        if value:
            languages[conversation_id] = value
    return languages


def skill_topic(topic: str) -> str | None:
    """The case's triage topic as a skill to look for; the fallback topic ("other") is none."""
    return topic if topic and topic != FALLBACK_TOPIC else None


# -- automatic assignment ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Wanted:
    conversation_id: int
    language: str | None
    topic: str | None


def _choose_many(
    wanted: Sequence[_Wanted],
    *,
    team: Team,
    strategy: str,
    candidates: Sequence[AgentState],
    now: datetime,
) -> list[tuple[int, Choice, datetime | None]]:
    """A choice per case, in order, counting each choice in the next: the chosen agent has
    one more open case and was assigned last (round robin rotates within a batch too)."""
    states = {s.id: s for s in candidates}
    chosen: list[tuple[int, Choice, datetime | None]] = []
    for seq, case in enumerate(wanted, start=1):
        choice = choose_assignee(
            list(states.values()),
            team=team.name,
            required_language=case.language,
            topic=case.topic,
            strategy=strategy,
        )
        at = None
        if choice.agent_id is not None:
            # Distinct instants keep the rotation's order within one batch.
            at = now + timedelta(microseconds=seq)
            state = states[choice.agent_id]
            states[choice.agent_id] = replace(
                state, open_cases=state.open_cases + 1, last_assigned_at=at
            )
        chosen.append((case.conversation_id, choice, at))
    return chosen


def _write_assignments(
    chosen: Sequence[tuple[int, Choice, datetime | None]],
    *,
    team: Team,
    set_team: bool,
    reason: str,
    only_unassigned: bool,
    now: datetime,
) -> dict[int, int]:
    """Write the choices (and the team when ``set_team``) under row locks, with one ASSIGNED
    (and TEAM_ASSIGNED) event per case. Cases someone assigned meanwhile are left alone when
    ``only_unassigned``. Returns {conversation id: assignee id} for what was written."""
    ids = [cid for cid, _, _ in chosen]
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().filter(pk__in=ids)
        if only_unassigned:
            locked = locked.filter(assignee__isnull=True)
        rows = {
            pk: (assignee_id, team_id)
            for pk, assignee_id, team_id in locked.values_list("pk", "assignee_id", "team_id")
        }
        agent_ids = {c.agent_id for _, c, _ in chosen if c.agent_id is not None}
        previous_ids = {a for a, _ in rows.values() if a is not None}
        names = dict(
            User.objects.filter(pk__in=agent_ids | previous_ids).values_list("pk", "username")
        )
        events: list[tuple[int, str, str, dict[str, object]]] = []
        by_agent: dict[int | None, list[int]] = defaultdict(list)
        last_at: dict[int, datetime] = {}
        written: dict[int, int] = {}
        for cid, choice, at in chosen:
            if cid not in rows:
                continue
            previous, team_id = rows[cid]
            team_now = set_team and team_id != team.pk
            if team_now:
                events.append(
                    (
                        cid,
                        EventKind.TEAM_ASSIGNED,
                        f"{reason}: new cases without a team go to '{team.name}'",
                        {"to": team.name, "automatic": True},
                    )
                )
            agent = choice.agent_id
            if agent is None or agent == previous:
                if team_now:
                    by_agent[previous].append(cid)
                if agent is None:
                    log.info("case %s left unassigned: %s", cid, choice.reason)
                continue
            by_agent[agent].append(cid)
            written[cid] = agent
            if at is not None:
                last_at[agent] = max(at, last_at.get(agent, at))
            relaxed = f" (relaxed: {', '.join(choice.relaxed)})" if choice.relaxed else ""
            events.append(
                (
                    cid,
                    EventKind.ASSIGNED,
                    f"{reason}: {choice.reason}{relaxed}"[:MAX_NOTE_CHARS],
                    {
                        "from": names.get(previous) if previous else None,
                        "to": names.get(agent),
                        "automatic": True,
                        "relaxed": list(choice.relaxed),
                    },
                )
            )
        for agent_id, case_ids in by_agent.items():
            fields: dict[str, object] = {"assignee_id": agent_id}
            if set_team:
                fields["team_id"] = team.pk
            Conversation.objects.filter(pk__in=case_ids).update(**fields)
        # The ingest path's fast insert: bulk_create spent most of a 2,000-case batch
        # preparing values field by field.
        stamp = bulk.adapt_datetime(now)
        bulk.insert_rows(
            CaseEvent,
            ("conversation", "kind", "reason", "data", "created_at"),
            [
                (cid, str(kind), text, bulk.adapt_json(data), stamp)
                for cid, kind, text, data in events
            ],
        )
        _touch_profiles(last_at)
    return written


def _touch_profiles(last_at: dict[int, datetime]) -> None:
    """Record when each agent was last given a case (round robin's memory)."""
    if not last_at:
        return
    existing = set(
        AgentProfile.objects.filter(user_id__in=last_at).values_list("user_id", flat=True)
    )
    missing = [uid for uid in last_at if uid not in existing]
    if missing:
        roles = dict(User.objects.filter(pk__in=missing).values_list("pk", "role"))
        AgentProfile.objects.bulk_create(
            [
                AgentProfile(user_id=uid, receives_cases=roles.get(uid) == Role.AGENT)
                for uid in missing
            ],
            ignore_conflicts=True,
        )
    for uid, at in last_at.items():
        AgentProfile.objects.filter(user_id=uid).update(last_assigned_at=at)


def assign_automatically(
    conversation: Conversation,
    *,
    choice: Choice,
    team: Team,
    reason: str,
    set_team: bool = False,
    only_unassigned: bool = False,
) -> bool:
    """Give the case to ``choice.agent_id`` with no person acting (actor None): writes the
    assignee, the agent's ``last_assigned_at`` and an ASSIGNED event whose reason is
    ``reason`` and the choice's; under a row lock. ``set_team`` also moves the case to
    ``team`` (TEAM_ASSIGNED). Returns False when nothing was assigned: the choice names
    nobody, the case already has that assignee, or (``only_unassigned``) someone assigned
    it meanwhile."""
    now = timezone.now()
    at = now if choice.agent_id is not None else None
    written = _write_assignments(
        [(conversation.pk, choice, at)],
        team=team,
        set_team=set_team,
        reason=reason,
        only_unassigned=only_unassigned,
        now=now,
    )
    return conversation.pk in written


def auto_assign(
    conversation: Conversation,
    *,
    team: Team | None = None,
    reason: str,
    exclude: Iterable[int] = (),
) -> Choice:
    """Choose someone of ``team`` (default: the case's team, else the intake team) for the
    case by the team's strategy and the case's language and topic, and assign them. Works
    whether or not the team assigns new cases automatically: calling it is the request.
    ``exclude``: user ids not to choose (say, who just handed the case over).

    Returns the Choice; ``agent_id`` None (with the reason) when nobody could take it, and
    then nothing changed."""
    team = team or conversation.team or intake_team()
    if team is None:
        return Choice(None, "the case has no team and no intake team is set")
    left_out = set(exclude)
    candidates = [c for c in candidates_for_team(team) if c.id not in left_out]
    language = case_languages([conversation.pk]).get(conversation.pk)
    wanted = _Wanted(conversation.pk, language, skill_topic(conversation.triage_topic))
    now = timezone.now()
    [(_, choice, at)] = _choose_many(
        [wanted], team=team, strategy=routing_of(team).strategy, candidates=candidates, now=now
    )
    if choice.agent_id is None:
        return choice
    _write_assignments(
        [(conversation.pk, choice, at)],
        team=team,
        set_team=conversation.team_id != team.pk,
        reason=f"Assigned automatically ({reason})",
        only_unassigned=False,
        now=now,
    )
    return choice


def auto_assign_new_cases(
    conversation_ids: Sequence[int], *, reason: str = "new case"
) -> dict[int, int]:
    """Assign the open, unassigned cases among ``conversation_ids`` whose team assigns
    automatically; a case without a team goes to the intake team (when it assigns
    automatically). Batch-efficient: a few queries per team, not per case.

    Returns {conversation id: assignee id} for what was assigned."""
    if not conversation_ids:
        return {}
    routings = {
        r.team_id: r for r in TeamRouting.objects.filter(auto_assign=True).select_related("team")
    }
    if not routings:
        return {}
    intake = next((r for r in routings.values() if r.intake), None)
    rows = list(
        Conversation.objects.filter(
            pk__in=list(conversation_ids),
            assignee__isnull=True,
            status__in=[str(s) for s in OPEN_STATUSES],
        )
        .order_by("created_at", "id")
        .values_list("pk", "team_id", "triage_topic")
    )
    by_team: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pk, team_id, topic in rows:
        if team_id is None and intake is not None:
            by_team[intake.team_id].append((pk, topic))
        elif team_id in routings:
            by_team[team_id].append((pk, topic))
    if not by_team:
        return {}
    languages = case_languages([pk for cases in by_team.values() for pk, _ in cases])
    now = timezone.now()
    written: dict[int, int] = {}
    for team_id, cases in by_team.items():
        routing = routings[team_id]
        wanted = [_Wanted(pk, languages.get(pk), skill_topic(topic)) for pk, topic in cases]
        chosen = _choose_many(
            wanted,
            team=routing.team,
            strategy=routing.strategy,
            candidates=candidates_for_team(routing.team, now=now),
            now=now,
        )
        written.update(
            _write_assignments(
                chosen,
                team=routing.team,
                set_team=routing.intake,
                reason=f"Assigned automatically ({reason})",
                only_unassigned=True,
                now=now,
            )
        )
    return written


SWEEP_LIMIT = 500


def assign_waiting_cases(*, limit: int = SWEEP_LIMIT) -> dict[int, int]:
    """The sweep: open, unassigned cases of teams that assign automatically, oldest first
    (at most ``limit``), which nobody could take when they arrived (everyone away or at their
    limit). Cases without a team are left to people. Also forgets presence gone stale long
    ago. Idempotent. Returns {conversation id: assignee id} for what was assigned."""
    Presence.objects.filter(last_seen__lt=timezone.now() - PRESENCE_FORGET).delete()
    teams = TeamRouting.objects.filter(auto_assign=True).values_list("team_id", flat=True)
    waiting = list(
        Conversation.objects.filter(
            team_id__in=list(teams),
            assignee__isnull=True,
            status__in=[str(s) for s in OPEN_STATUSES],
        )
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return auto_assign_new_cases(waiting, reason="waiting; someone can take it now")


def after_inbound(conversation_ids: Sequence[int]) -> None:
    """The ingest hook: auto-assign once the batch is committed, so a failure here never
    loses stored messages (it is logged)."""
    if not conversation_ids:
        return
    ids = list(conversation_ids)
    transaction.on_commit(lambda: auto_assign_new_cases(ids), robust=True)


# -- profiles, availability, routing ----------------------------------------------------------


def profile_for(user: User) -> AgentProfile:
    """The user's profile, created with the defaults on first use."""
    profile, _ = AgentProfile.objects.get_or_create(
        user=user, defaults={"receives_cases": user.role == Role.AGENT}
    )
    return profile


def _skills(values: Iterable[str], what: str) -> list[str]:
    cleaned = sorted({v.strip().lower() for v in values if v and v.strip()})
    if len(cleaned) > MAX_SKILLS:
        raise CaseActionError(f"at most {MAX_SKILLS} {what}")
    for value in cleaned:
        if len(value) > 64:
            raise CaseActionError(f"'{value[:20]}…' is too long for one of the {what}")
    return cleaned


def set_availability(
    user: User, *, actor: User, available: bool, away_until: datetime | None = None
) -> AgentProfile:
    """Mark ``user`` available or away (until ``away_until``, when given). People set their
    own; supervisors and admins anyone's. Raises CaseActionError otherwise."""
    if actor.pk != user.pk and not actor.is_supervisor_or_admin:
        raise CaseActionError("only supervisors may change someone else's availability")
    now = timezone.now()
    if away_until is not None and away_until <= now:
        raise CaseActionError("'away until' must be in the future")
    with transaction.atomic():
        profile = profile_for(user)
        profile = AgentProfile.objects.select_for_update().get(pk=profile.pk)
        profile.available = available
        profile.away_until = None if available else away_until
        profile.updated_at = now
        profile.save(update_fields=["available", "away_until", "updated_at"])
    return profile


def update_profile(
    user: User,
    *,
    actor: User,
    languages: Iterable[str],
    topics: Iterable[str],
    max_open_cases: int | None,
    receives_cases: bool,
    available: bool | None = None,
) -> AgentProfile:
    """Set a person's skills and limits, and their availability unless ``available`` is None
    (supervisors and admins only)."""
    if not actor.is_supervisor_or_admin:
        raise CaseActionError("only supervisors may edit assignment profiles")
    if max_open_cases is not None and not 0 < max_open_cases <= MAX_CASE_LIMIT:
        raise CaseActionError(f"the case limit must be between 1 and {MAX_CASE_LIMIT}, or empty")
    langs, tops = _skills(languages, "languages"), _skills(topics, "topics")
    with transaction.atomic():
        profile = AgentProfile.objects.select_for_update().get(pk=profile_for(user).pk)
        profile.languages, profile.topics = langs, tops
        profile.max_open_cases = max_open_cases
        profile.receives_cases = receives_cases
        if available is not None and available != profile.is_available(timezone.now()):
            profile.available, profile.away_until = available, None
        profile.updated_at = timezone.now()
        profile.save(
            update_fields=[
                "languages",
                "topics",
                "max_open_cases",
                "receives_cases",
                "available",
                "away_until",
                "updated_at",
            ]
        )
    return profile


def update_routing(
    team: Team, *, actor: User, strategy: str, auto_assign: bool, intake: bool
) -> TeamRouting:
    """Set how ``team`` hands out cases (supervisors and admins only). Making a team the
    intake team takes that role from the previous one."""
    if not actor.is_supervisor_or_admin:
        raise CaseActionError("only supervisors may change team routing")
    if strategy not in Strategy.values:
        raise CaseActionError(f"unknown strategy '{strategy}'")
    with transaction.atomic():
        if intake:
            TeamRouting.objects.filter(intake=True).exclude(team=team).update(intake=False)
        routing, _ = TeamRouting.objects.select_for_update().get_or_create(team=team)
        routing.strategy = strategy
        routing.auto_assign = auto_assign
        routing.intake = intake
        routing.updated_at = timezone.now()
        routing.updated_by = actor
        routing.save()
    return routing


# -- presence -----------------------------------------------------------------------------------


def record_presence(conversation: Conversation, *, user: User, typing: bool = False) -> Presence:
    """``user`` has the case open (a heartbeat). A heartbeat after a stale one starts a new
    visit (``since``). Also forgets the user's visits long gone."""
    now = timezone.now()
    with transaction.atomic():
        presence, created = Presence.objects.select_for_update().get_or_create(
            conversation=conversation,
            user=user,
            defaults={"since": now, "last_seen": now, "typing_at": now if typing else None},
        )
        if not created:
            if presence.last_seen < now - PRESENCE_STALE:
                presence.since = now
            presence.last_seen = now
            presence.typing_at = now if typing else None
            presence.save(update_fields=["since", "last_seen", "typing_at"])
        Presence.objects.filter(user=user, last_seen__lt=now - PRESENCE_FORGET).delete()
    return presence


# -- handover ---------------------------------------------------------------------------------


def hand_over(
    conversation: Conversation,
    *,
    actor: User,
    note: str,
    to_user: User | None = None,
    to_team: Team | None = None,
) -> Conversation:
    """Pass the case to a person or to a team, with a note (what was done, what is next).

    Agents may hand over their own cases, supervisors and admins any. To a team: the case
    becomes the team's and unassigned, then goes to someone of it (not ``actor``) when the
    team assigns automatically. Appends HANDOVER (the note), ASSIGNED and, when the team
    changes, TEAM_ASSIGNED. Raises CaseActionError, changing nothing, when not allowed."""
    body = note.strip()
    if not body:
        raise CaseActionError("a handover needs a note: what was done, what is next")
    if len(body) > MAX_NOTE_CHARS:
        raise CaseActionError(f"a handover note is limited to {MAX_NOTE_CHARS} characters")
    if (to_user is None) == (to_team is None):
        raise CaseActionError("hand the case over to a person or to a team")
    if to_user is not None and not to_user.is_active:
        raise CaseActionError(f"{to_user.username} is not an active user")
    with transaction.atomic():
        case = Conversation.objects.select_for_update().get(pk=conversation.pk)
        previous = User.objects.filter(pk=case.assignee_id).first() if case.assignee_id else None
        if not actor.is_supervisor_or_admin and case.assignee_id != actor.pk:
            owner = f"{previous.username}'s" if previous else "nobody's"
            raise CaseActionError(f"the case is {owner}; agents may hand over only their own cases")
        if case.status == Status.CLOSED:
            raise CaseActionError("a closed case cannot be handed over")
        team = case.team if to_team is None else to_team
        if to_user is not None:
            if to_user.pk == case.assignee_id:
                raise CaseActionError(f"the case is already {to_user.username}'s")
            if (
                team is not None
                and to_user.role == Role.AGENT
                and not to_user.teams.filter(pk=team.pk).exists()
            ):
                raise CaseActionError(
                    f"{to_user.username} is not in team '{team.name}'; hand it to the team instead"
                )
        now = timezone.now()
        team_changed = team is not None and case.team_id != team.pk
        case.assignee = to_user
        case.team = team
        case.save(update_fields=["assignee", "team"])
        target = to_user.username if to_user else f"team '{team.name if team else ''}'"
        CaseEvent.objects.create(
            conversation=case,
            kind=EventKind.HANDOVER,
            actor=actor,
            reason=body,
            data={
                "from": previous.username if previous else None,
                "to_user": to_user.username if to_user else None,
                "to_team": to_team.name if to_team else None,
            },
            created_at=now,
        )
        if team_changed and team is not None:
            CaseEvent.objects.create(
                conversation=case,
                kind=EventKind.TEAM_ASSIGNED,
                actor=actor,
                reason=f"handed over to team '{team.name}'",
                data={"to": team.name},
                created_at=now,
            )
        if previous is not None or to_user is not None:
            CaseEvent.objects.create(
                conversation=case,
                kind=EventKind.ASSIGNED,
                actor=actor,
                reason=f"handed over to {target}",
                data={
                    "from": previous.username if previous else None,
                    "to": to_user.username if to_user else None,
                },
                created_at=now,
            )
        if to_team is not None and routing_of(to_team).auto_assign:
            auto_assign(case, team=to_team, reason="handed over to the team", exclude=[actor.pk])
    case.refresh_from_db()
    return case
