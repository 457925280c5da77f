"""Choose who takes a case: team, availability, capacity, skills, then a strategy. Pure.

Filters run in this order, each explained: team membership; availability (never relaxed: a
case is never given to someone who is away); capacity; skills, relaxed step by step when
nobody fits (language and topic, then language alone, then topic alone, then anyone, because
an agent who cannot read the customer is the worse mismatch). Then:

- ``round_robin``: whoever was assigned least recently (never assigned first);
- ``least_loaded``: fewest open cases, then least recently assigned.

Remaining ties go to the lowest id, so the same input always gives the same agent. Round
robin is stateless: the caller must update ``last_assigned_at`` when it assigns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from careline.workflow.calendar import as_utc


class Strategy(StrEnum):
    ROUND_ROBIN = "round_robin"
    LEAST_LOADED = "least_loaded"


def _lowered(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip().lower() for v in values if v.strip())


@dataclass(frozen=True)
class Skills:
    """Languages (codes such as "en", "de") and topics (triage topic slugs), case-insensitive."""

    languages: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "languages", _lowered(self.languages))
        object.__setattr__(self, "topics", _lowered(self.topics))


@dataclass(frozen=True)
class AgentState:
    """One candidate as the caller sees them now. ``max_open_cases`` None: no cap."""

    id: int
    teams: frozenset[str] = frozenset()
    skills: Skills = field(default_factory=Skills)
    available: bool = True
    open_cases: int = 0
    last_assigned_at: datetime | None = None
    name: str = ""
    max_open_cases: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "teams", frozenset(self.teams))
        if self.last_assigned_at is not None:
            as_utc(self.last_assigned_at, f"agent {self.id} last_assigned_at")

    @property
    def label(self) -> str:
        return f"{self.name} (#{self.id})" if self.name else f"agent #{self.id}"


@dataclass(frozen=True)
class Choice:
    """``agent_id`` None when nobody can take the case; ``reason`` says why either way.
    ``relaxed`` names the skills given up to find someone (empty when none were)."""

    agent_id: int | None
    reason: str
    relaxed: tuple[str, ...] = ()


_NEVER = datetime.min.replace(tzinfo=UTC)


def _round_robin_key(agent: AgentState) -> tuple[datetime, int]:
    last = as_utc(agent.last_assigned_at) if agent.last_assigned_at else _NEVER
    return (last, agent.id)


def choose_assignee(
    candidates: Sequence[AgentState],
    *,
    team: str | None = None,
    required_language: str | None = None,
    topic: str | None = None,
    strategy: Strategy | str = Strategy.LEAST_LOADED,
) -> Choice:
    """Pick one agent from ``candidates`` (see the module docstring for the order of
    filters and tie-breaks). ``team`` None considers every candidate. Raises ValueError for an
    unknown strategy."""
    strategy = Strategy(strategy)
    where = f"team '{team}'" if team else "the candidates"
    pool = [a for a in candidates if team is None or team in a.teams]
    if not pool:
        return Choice(None, f"nobody is in {where}")
    pool = [a for a in pool if a.available]
    if not pool:
        return Choice(None, f"nobody in {where} is available")
    free = [a for a in pool if a.max_open_cases is None or a.open_cases < a.max_open_cases]
    if not free:
        return Choice(None, f"everyone available in {where} is at their case limit")
    pool = free

    language = required_language.strip().lower() if required_language else None
    wanted_topic = topic.strip().lower() if topic else None
    steps: list[tuple[tuple[str, ...], str]] = []
    if language and wanted_topic:
        steps.append(((), f"speaks '{language}' and knows '{wanted_topic}'"))
    if language:
        steps.append((("topic",) if wanted_topic else (), f"speaks '{language}'"))
    if wanted_topic:
        steps.append((("language",) if language else (), f"knows '{wanted_topic}'"))
    relaxed_all = tuple(s for s, on in (("language", language), ("topic", wanted_topic)) if on)
    steps.append((relaxed_all, ""))

    notes: list[str] = []
    for relaxed, wants in steps:
        fits = [
            a
            for a in pool
            if ("language" in relaxed or not language or language in a.skills.languages)
            and ("topic" in relaxed or not wanted_topic or wanted_topic in a.skills.topics)
        ]
        if not fits:
            notes.append(f"nobody available {wants}")
            continue
        agent, why = _pick(fits, strategy)
        among = f"{len(fits)} available in {where}" + (f" who {wants}" if wants else "")
        reason = f"{why}, among {among}"
        if notes:
            reason = "; ".join(notes) + f", so {reason}"
        return Choice(agent.id, f"{agent.label}: {reason}", relaxed)
    raise AssertionError("the last step accepts everyone in a non-empty pool")


def _pick(fits: list[AgentState], strategy: Strategy) -> tuple[AgentState, str]:
    if strategy is Strategy.ROUND_ROBIN:
        agent = min(fits, key=_round_robin_key)
        if agent.last_assigned_at is None:
            return agent, "round robin: never assigned yet"
        return agent, (
            "round robin: assigned longest ago "
            f"({as_utc(agent.last_assigned_at):%Y-%m-%d %H:%M} UTC)"
        )
    agent = min(fits, key=lambda a: (a.open_cases, *_round_robin_key(a)))
    cases = "open case" if agent.open_cases == 1 else "open cases"
    return agent, f"least loaded: {agent.open_cases} {cases}"
