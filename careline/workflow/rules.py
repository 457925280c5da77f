"""Escalation rules as data: conditions on a case's facts, actions, and the reason for each.

Rules run in ``order`` (ties by ``id``); every enabled rule whose conditions all hold makes a
``Decision``; a matching rule with ``stop`` ends the evaluation. For "either of", write two
rules. Supervisors edit rules as JSON (``rules_from_json`` names each bad field). Pure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Literal

from careline.workflow.facts import FACT_FIELDS, CaseFacts, FieldKind
from careline.workflow.sla import Priority

# -- validation errors ---------------------------------------------------------------------


@dataclass(frozen=True)
class FieldError:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class RuleValidationError(ValueError):
    """One or more problems in a rule definition; ``errors`` name each bad field by path
    (``rules[2].conditions[0].value``)."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))

    def under(self, prefix: str) -> RuleValidationError:
        """The same errors with ``prefix`` in front of each path."""
        return RuleValidationError(
            [FieldError(f"{prefix}.{e.path}" if e.path else prefix, e.message) for e in self.errors]
        )


def _fail(path: str, message: str) -> RuleValidationError:
    return RuleValidationError([FieldError(path, message)])


# -- conditions ----------------------------------------------------------------------------


class Op(StrEnum):
    EQ = "eq"
    NE = "ne"
    GTE = "gte"
    LTE = "lte"
    IN = "in"
    CONTAINS = "contains"
    IS_TRUE = "is_true"


_OPS_BY_KIND: dict[FieldKind, frozenset[Op]] = {
    "number": frozenset({Op.EQ, Op.NE, Op.GTE, Op.LTE, Op.IN}),
    "text": frozenset({Op.EQ, Op.NE, Op.IN, Op.CONTAINS}),
    "flag": frozenset({Op.IS_TRUE, Op.EQ, Op.NE}),
    "set": frozenset({Op.CONTAINS, Op.IS_TRUE}),
}
_SYMBOL = {Op.EQ: "=", Op.NE: "≠", Op.GTE: "≥", Op.LTE: "≤"}


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _scalar_ok(kind: FieldKind, value: object) -> bool:
    if kind == "number":
        return _is_number(value)
    if kind == "flag":
        return isinstance(value, bool)
    return isinstance(value, str)


@dataclass(frozen=True)
class Condition:
    """``field op value``; ``is_true`` takes no value (a flag is set, a set is non-empty).

    Operators by field kind: number (eq, ne, gte, lte, in), text (eq, ne, in, contains: a
    substring), flag (is_true, eq, ne), set (contains: a member, is_true). ``in`` takes a list.
    Text comparisons ignore case. Raises RuleValidationError naming ``field``/``op``/``value``.
    """

    field: str
    op: Op
    value: Any = None

    def __post_init__(self) -> None:
        spec = FACT_FIELDS.get(self.field)
        if spec is None:
            raise _fail("field", f"unknown fact {self.field!r}; known: {', '.join(FACT_FIELDS)}")
        try:
            op = Op(self.op)
        except ValueError:
            raise _fail("op", f"unknown operator {self.op!r}; use one of {', '.join(Op)}") from None
        object.__setattr__(self, "op", op)
        if op not in _OPS_BY_KIND[spec.kind]:
            allowed = ", ".join(sorted(_OPS_BY_KIND[spec.kind]))
            raise _fail("op", f"{op} does not apply to {self.field!r} ({spec.kind}); use {allowed}")
        value = self.value
        if op is Op.IS_TRUE:
            if value is not None:
                raise _fail("value", f"is_true takes no value (got {value!r})")
            return
        if op is Op.IN:
            if not isinstance(value, list | tuple) or not value:
                raise _fail("value", f"'in' needs a non-empty list for {self.field!r}")
            bad = [v for v in value if not _scalar_ok(spec.kind, v)]
            if bad:
                raise _fail("value", f"{bad[0]!r} is not a {spec.kind} value for {self.field!r}")
            object.__setattr__(self, "value", tuple(value))
            return
        wanted: FieldKind = "text" if spec.kind == "set" else spec.kind
        if not _scalar_ok(wanted, value):
            kind_word = {"number": "a number", "flag": "true or false", "text": "a string"}
            raise _fail(
                "value",
                f"{op} on {self.field!r} needs {kind_word.get(wanted, 'a string')}, got {value!r}",
            )

    def test(self, facts: CaseFacts) -> tuple[bool, str]:
        """Whether the condition holds, and a phrase saying why (or why not)."""
        spec = FACT_FIELDS[self.field]
        actual = getattr(facts, self.field)
        label = spec.label
        if spec.kind == "flag":
            # eq true / ne false both want the flag set.
            wanted = self.op is Op.IS_TRUE or bool(self.value) == (self.op is Op.EQ)
            held = bool(actual) == wanted
            if bool(actual):
                return held, _flag_phrase(self.field, facts)
            return held, f"no {label}"
        if spec.kind == "set":
            members = tuple(str(m).lower() for m in actual)
            held = bool(members) if self.op is Op.IS_TRUE else str(self.value).lower() in members
            if self.field in {"legal_terms", "safety_terms"}:
                words = ", ".join(f"'{m}'" for m in members)
                if held:
                    return True, f"text mentions {words}"
                missing = f"'{self.value}'" if self.op is Op.CONTAINS else label
                return False, f"text does not mention {missing}"
            if held:
                return True, f"{label}: {', '.join(members)}"
            if self.op is Op.CONTAINS:
                return False, f"{label} do not include '{self.value}'"
            return False, f"no {label}"
        if spec.kind == "number":
            return self._test_number(actual, label)
        return self._test_text(str(actual), label)

    def _test_number(self, actual: float, label: str) -> tuple[bool, str]:
        shown = _num(actual)
        if self.op is Op.IN:
            options = ", ".join(_num(v) for v in self.value)
            held = actual in self.value
            return held, f"{label} {shown} is {'' if held else 'not '}one of {options}"
        held = {
            Op.EQ: actual == self.value,
            Op.NE: actual != self.value,
            Op.GTE: actual >= self.value,
            Op.LTE: actual <= self.value,
        }[self.op]
        symbol = _SYMBOL[self.op]
        if held:
            return True, f"{label} {shown} {symbol} {_num(self.value)}"
        return False, f"{label} {shown} is not {symbol} {_num(self.value)}"

    def _test_text(self, actual: str, label: str) -> tuple[bool, str]:
        low = actual.lower()
        shown = f"'{actual}'" if actual else "empty"
        if self.op is Op.IN:
            options = ", ".join(f"'{v}'" for v in self.value)
            held = low in {str(v).lower() for v in self.value}
            return held, f"{label} {shown} is {'' if held else 'not '}one of {options}"
        value = str(self.value)
        if self.op is Op.CONTAINS:
            held = value.lower() in low
            return held, f"{label} {shown} {'contains' if held else 'does not contain'} '{value}'"
        equal = low == value.lower()
        phrase = f"{label} is {shown}" if equal else f"{label} is {shown}, not '{value}'"
        return (equal if self.op is Op.EQ else not equal), phrase

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "op": self.op.value}
        if self.op is not Op.IS_TRUE:
            out["value"] = list(self.value) if isinstance(self.value, tuple) else self.value
        return out


def _num(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _flag_phrase(name: str, facts: CaseFacts) -> str:
    if name == "legal_threat":
        return "text mentions " + ", ".join(f"'{t}'" for t in facts.legal_terms)
    if name == "safety_risk":
        return "text mentions " + ", ".join(f"'{t}'" for t in facts.safety_terms)
    if name == "sentiment_worsened":
        return f"sentiment went from {facts.previous_sentiment} to {facts.sentiment}"
    if name == "crisis":
        return "a crisis is declared"
    if name == "has_private_data":
        return "the case holds private data"
    return f"{FACT_FIELDS[name].label} is set"


# -- actions -------------------------------------------------------------------------------


def _need_text(value: object, path: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, "must be a non-empty string")


def _need_minutes(value: object, path: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise _fail(path, f"must be a whole number of minutes above 0, got {value!r}")


@dataclass(frozen=True)
class AssignTeam:
    team: str
    type: ClassVar[str] = "assign_team"

    def __post_init__(self) -> None:
        _need_text(self.team, "team")

    def describe(self) -> str:
        return f"assign to team '{self.team}'"


@dataclass(frozen=True)
class AssignUser:
    user: str
    type: ClassVar[str] = "assign_user"

    def __post_init__(self) -> None:
        _need_text(self.user, "user")

    def describe(self) -> str:
        return f"assign to '{self.user}'"


@dataclass(frozen=True)
class RaisePriority:
    """Raise to ``to``; never lowers a case already at or above it."""

    to: Priority
    type: ClassVar[str] = "raise_priority"

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "to", Priority(self.to))
        except ValueError:
            raise _fail(
                "to", f"unknown priority {self.to!r}; use one of {', '.join(Priority)}"
            ) from None

    def describe(self) -> str:
        return f"raise priority to {self.to}"


@dataclass(frozen=True)
class Notify:
    channel: Literal["email", "chat"]
    to: str
    type: ClassVar[str] = "notify"

    def __post_init__(self) -> None:
        if self.channel not in ("email", "chat"):
            raise _fail("channel", f"must be 'email' or 'chat', got {self.channel!r}")
        _need_text(self.to, "to")

    def describe(self) -> str:
        return f"notify {self.to} by {self.channel}"


@dataclass(frozen=True)
class SendEscalationNotice:
    """Tell the customer the case was escalated and when to expect an answer."""

    expected_within: int
    type: ClassVar[str] = "send_escalation_notice"

    def __post_init__(self) -> None:
        _need_minutes(self.expected_within, "expected_within")

    def describe(self) -> str:
        return f"tell the customer to expect an answer within {_minutes_text(self.expected_within)}"


@dataclass(frozen=True)
class SetDue:
    """The escalation is due this many minutes after it happens."""

    minutes: int
    type: ClassVar[str] = "set_due"

    def __post_init__(self) -> None:
        _need_minutes(self.minutes, "minutes")

    def describe(self) -> str:
        return f"due within {_minutes_text(self.minutes)}"


Action = AssignTeam | AssignUser | RaisePriority | Notify | SendEscalationNotice | SetDue
ACTION_TYPES: dict[str, type[Action]] = {
    cls.type: cls
    for cls in (AssignTeam, AssignUser, RaisePriority, Notify, SendEscalationNotice, SetDue)
}
_ACTION_PARAMS: dict[str, tuple[str, ...]] = {
    "assign_team": ("team",),
    "assign_user": ("user",),
    "raise_priority": ("to",),
    "notify": ("channel", "to"),
    "send_escalation_notice": ("expected_within",),
    "set_due": ("minutes",),
}


def action_to_dict(action: Action) -> dict[str, Any]:
    out: dict[str, Any] = {"type": action.type}
    for name in _ACTION_PARAMS[action.type]:
        value = getattr(action, name)
        out[name] = value.value if isinstance(value, StrEnum) else value
    return out


def _minutes_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    unit = "hour" if hours == 1 else "hours"
    return f"{hours} {unit}" if not rest else f"{hours} h {rest} min"


# -- rules ---------------------------------------------------------------------------------

_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def _rule_field_errors(
    id: object,
    name: object,
    order: object,
    explanation: object,
    stop: object,
    enabled: object,
    actions: object,
) -> list[FieldError]:
    errors: list[FieldError] = []
    if not isinstance(id, str) or not _RULE_ID.match(id):
        errors.append(FieldError("id", "use 1-64 lower-case letters, digits, '-' or '_'"))
    if not isinstance(name, str) or not name.strip():
        errors.append(FieldError("name", "must be a non-empty string"))
    if not isinstance(order, int) or isinstance(order, bool):
        errors.append(FieldError("order", f"must be a whole number, got {order!r}"))
    if not isinstance(explanation, str) or not explanation.strip():
        errors.append(FieldError("explanation", "say why this rule exists"))
    for key, value in (("stop", stop), ("enabled", enabled)):
        if not isinstance(value, bool):
            errors.append(FieldError(key, "must be true or false"))
    if not actions:
        errors.append(FieldError("actions", "a rule needs at least one action"))
    return errors


@dataclass(frozen=True)
class Rule:
    """An escalation rule. ``explanation`` says why the rule exists (shown to supervisors);
    the per-case ``Decision.reason`` says why it fired. A rule with no conditions always
    matches (a catch-all). Raises RuleValidationError naming the bad field."""

    id: str
    name: str
    order: int
    conditions: Sequence[Condition]
    actions: Sequence[Action]
    explanation: str
    stop: bool = False
    enabled: bool = True

    def __post_init__(self) -> None:
        errors = _rule_field_errors(
            self.id, self.name, self.order, self.explanation, self.stop, self.enabled, self.actions
        )
        if errors:
            raise RuleValidationError(errors)
        object.__setattr__(self, "conditions", tuple(self.conditions))
        object.__setattr__(self, "actions", tuple(self.actions))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "order": self.order,
            "enabled": self.enabled,
            "stop": self.stop,
            "explanation": self.explanation,
            "conditions": [c.to_dict() for c in self.conditions],
            "actions": [action_to_dict(a) for a in self.actions],
        }


@dataclass(frozen=True)
class Decision:
    """A rule that fired: its actions and the reason, e.g. "Legal threat: text mentions
    'lawyer'; severity 82 ≥ 70"."""

    rule: Rule
    actions: tuple[Action, ...]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """For the case record (CaseEvent.data)."""
        return {
            "rule": self.rule.id,
            "rule_name": self.rule.name,
            "reason": self.reason,
            "actions": [action_to_dict(a) for a in self.actions],
        }


TraceOutcome = Literal["matched", "not_matched", "disabled", "after_stop"]


@dataclass(frozen=True)
class RuleTrace:
    """What happened to one rule in an evaluation (for a supervisor's "test these rules")."""

    rule: Rule
    outcome: TraceOutcome
    reason: str


def ordered(rules: Iterable[Rule]) -> list[Rule]:
    """Rules in evaluation order: by ``order``, then ``id``."""
    return sorted(rules, key=lambda r: (r.order, r.id))


def trace(rules: Iterable[Rule], facts: CaseFacts) -> list[RuleTrace]:
    """Every rule in evaluation order with what happened to it and why."""
    out: list[RuleTrace] = []
    stopped_by: Rule | None = None
    for rule in ordered(rules):
        if stopped_by is not None:
            out.append(
                RuleTrace(
                    rule, "after_stop", f"{rule.name}: not evaluated, '{stopped_by.name}' stops"
                )
            )
            continue
        if not rule.enabled:
            out.append(RuleTrace(rule, "disabled", f"{rule.name}: disabled"))
            continue
        phrases: list[str] = []
        matched = True
        for condition in rule.conditions:
            held, phrase = condition.test(facts)
            if not held:
                matched = False
                phrases = [phrase]
                break
            phrases.append(phrase)
        if not rule.conditions:
            phrases = ["applies to every case"]
        reason = f"{rule.name}: {'; '.join(phrases)}"
        out.append(RuleTrace(rule, "matched" if matched else "not_matched", reason))
        if matched and rule.stop:
            stopped_by = rule
    return out


def evaluate(rules: Iterable[Rule], facts: CaseFacts) -> list[Decision]:
    """The decisions of the matching rules, in evaluation order, honouring ``stop``."""
    return [
        Decision(t.rule, tuple(t.rule.actions), t.reason)
        for t in trace(rules, facts)
        if t.outcome == "matched"
    ]


# -- JSON ------------------------------------------------------------------------------------

_RULE_KEYS = {"id", "name", "order", "enabled", "stop", "explanation", "conditions", "actions"}
_REQUIRED_RULE_KEYS = ("id", "name", "order", "explanation", "conditions", "actions")


def rules_to_json(rules: Iterable[Rule]) -> str:
    """``{"version": 1, "rules": [...]}`` in evaluation order, readable and stable."""
    payload = {"version": 1, "rules": [r.to_dict() for r in ordered(rules)]}
    return json.dumps(payload, indent=2, ensure_ascii=False)


def rules_from_json(data: str | bytes | Mapping[str, Any] | Sequence[Any]) -> list[Rule]:
    """Parse rules from JSON text or already-decoded data (a list, or the ``rules_to_json``
    object). Returns them in evaluation order. Raises RuleValidationError listing every
    problem, each with its path (``rules[1].actions[0].team: must be a non-empty string``).
    """
    parsed: Any = data
    if isinstance(parsed, str | bytes):
        try:
            parsed = json.loads(parsed)
        except json.JSONDecodeError as exc:
            raise _fail("", f"not valid JSON: {exc.msg} at line {exc.lineno}") from None
    if isinstance(parsed, Mapping):
        extra = set(parsed) - {"version", "rules"}
        if extra:
            raise _fail(sorted(extra)[0], "unknown field")
        if parsed.get("version", 1) != 1:
            raise _fail("version", f"unsupported version {parsed.get('version')!r}")
        parsed = parsed.get("rules")
    if not isinstance(parsed, list):
        raise _fail("rules", "must be a list of rules")
    errors: list[FieldError] = []
    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(parsed):
        path = f"rules[{i}]"
        try:
            rule = _rule_from_dict(raw)
        except RuleValidationError as exc:
            errors.extend(exc.under(path).errors)
            continue
        if rule.id in seen:
            errors.append(
                FieldError(f"{path}.id", f"duplicate id {rule.id!r} (rules[{seen[rule.id]}])")
            )
            continue
        seen[rule.id] = i
        rules.append(rule)
    if errors:
        raise RuleValidationError(errors)
    return ordered(rules)


def _rule_from_dict(raw: object) -> Rule:
    if not isinstance(raw, Mapping):
        raise _fail("", "each rule must be an object")
    errors: list[FieldError] = []
    errors.extend(FieldError(k, "unknown field") for k in sorted(set(raw) - _RULE_KEYS))
    missing = [k for k in _REQUIRED_RULE_KEYS if k not in raw]
    errors.extend(FieldError(k, "required") for k in missing)
    errors.extend(
        e
        for e in _rule_field_errors(
            raw.get("id", ""),
            raw.get("name", ""),
            raw.get("order", 0),
            raw.get("explanation", ""),
            raw.get("stop", False),
            raw.get("enabled", True),
            raw.get("actions", [None]),
        )
        if e.path not in missing
    )
    conditions: list[Condition] = []
    actions: list[Action] = []
    raw_conditions = raw.get("conditions", [])
    raw_actions = raw.get("actions", [])
    if not isinstance(raw_conditions, list):
        errors.append(FieldError("conditions", "must be a list"))
        raw_conditions = []
    if not isinstance(raw_actions, list):
        errors.append(FieldError("actions", "must be a list"))
        raw_actions = []
    for j, item in enumerate(raw_conditions):
        try:
            conditions.append(_condition_from_dict(item))
        except RuleValidationError as exc:
            errors.extend(exc.under(f"conditions[{j}]").errors)
    for j, item in enumerate(raw_actions):
        try:
            actions.append(_action_from_dict(item))
        except RuleValidationError as exc:
            errors.extend(exc.under(f"actions[{j}]").errors)
    if errors:
        raise RuleValidationError(errors)
    return Rule(
        id=raw["id"],
        name=raw["name"],
        order=raw["order"],
        conditions=conditions,
        actions=actions,
        explanation=raw["explanation"],
        stop=raw.get("stop", False),
        enabled=raw.get("enabled", True),
    )


def _condition_from_dict(raw: object) -> Condition:
    if not isinstance(raw, Mapping):
        raise _fail("", "each condition must be an object with field, op and value")
    extra = set(raw) - {"field", "op", "value"}
    if extra:
        raise _fail(sorted(extra)[0], "unknown field")
    for key in ("field", "op"):
        if key not in raw:
            raise _fail(key, "required")
    try:
        op = Op(raw["op"])
    except ValueError:
        raise _fail("op", f"unknown operator {raw['op']!r}; use one of {', '.join(Op)}") from None
    if op is not Op.IS_TRUE and "value" not in raw:
        raise _fail("value", "required")
    return Condition(field=raw["field"], op=op, value=raw.get("value"))


def _action_from_dict(raw: object) -> Action:
    if not isinstance(raw, Mapping):
        raise _fail("", "each action must be an object with a type")
    kind = raw.get("type")
    if not isinstance(kind, str) or kind not in ACTION_TYPES:
        raise _fail("type", f"unknown action {kind!r}; use one of {', '.join(ACTION_TYPES)}")
    params = _ACTION_PARAMS[kind]
    extra = set(raw) - {"type", *params}
    if extra:
        raise _fail(sorted(extra)[0], f"unknown field for {kind}")
    missing = [p for p in params if p not in raw]
    if missing:
        raise _fail(missing[0], "required")
    return ACTION_TYPES[kind](**{p: raw[p] for p in params})


# -- defaults --------------------------------------------------------------------------------

DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(
        id="safety",
        name="Safety risk",
        order=10,
        conditions=[Condition("safety_risk", Op.IS_TRUE)],
        actions=[
            RaisePriority(Priority.URGENT),
            AssignTeam("safety"),
            Notify("chat", "supervisors"),
            SendEscalationNotice(30),
            SetDue(30),
        ],
        explanation="Someone may be hurt or at risk: a trained person answers within minutes.",
    ),
    Rule(
        id="crisis",
        name="Crisis",
        order=20,
        conditions=[Condition("crisis", Op.IS_TRUE)],
        actions=[
            RaisePriority(Priority.URGENT),
            AssignTeam("crisis"),
            Notify("chat", "supervisors"),
        ],
        explanation="During a declared crisis, the crisis team owns every related case.",
    ),
    Rule(
        id="legal-threat",
        name="Legal threat",
        order=30,
        conditions=[Condition("legal_threat", Op.IS_TRUE), Condition("severity", Op.GTE, 70)],
        actions=[
            RaisePriority(Priority.HIGH),
            AssignTeam("legal"),
            Notify("email", "legal"),
            SendEscalationNotice(240),
            SetDue(240),
        ],
        explanation="Threats of legal action go to the legal team before anyone replies.",
    ),
    Rule(
        id="vip-reach",
        name="VIP reach",
        order=40,
        conditions=[
            Condition("author_followers", Op.GTE, 10_000),
            Condition("sentiment", Op.EQ, "negative"),
        ],
        actions=[
            RaisePriority(Priority.HIGH),
            AssignTeam("social-leads"),
            Notify("chat", "social-leads"),
        ],
        explanation="A complaint seen by many people needs an experienced answer, fast.",
    ),
    Rule(
        id="repeated-contact",
        name="Repeated contact",
        order=50,
        conditions=[Condition("repeat_contacts", Op.GTE, 3)],
        actions=[
            RaisePriority(Priority.HIGH),
            AssignTeam("escalations"),
            SendEscalationNotice(120),
            SetDue(120),
        ],
        explanation="A third contact means we failed twice; a senior agent takes it over.",
    ),
    Rule(
        id="sla-breach",
        name="SLA breach",
        order=60,
        conditions=[Condition("sla_breached", Op.IS_TRUE)],
        actions=[RaisePriority(Priority.HIGH), Notify("chat", "supervisors"), SetDue(30)],
        explanation="A missed target is a supervisor's problem until someone answers.",
    ),
    Rule(
        id="worsening-sentiment",
        name="Worsening sentiment",
        order=70,
        conditions=[
            Condition("sentiment_worsened", Op.IS_TRUE),
            Condition("sentiment", Op.EQ, "negative"),
        ],
        actions=[RaisePriority(Priority.HIGH), Notify("chat", "team-leads")],
        explanation="A customer getting angrier is a case about to go wrong.",
    ),
)
