"""``/escalations``: the rules in force (read and replace, supervisors and admins), a case's
escalation record and a trace of the rules on it, and the notifications log."""

# No `from __future__ import annotations`: ninja reads the endpoint annotations at runtime.
import json
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from careline.accounts.access import get_conversation_for_user
from careline.accounts.models import User
from careline.api.auth import api_user
from careline.api.paging import Paging
from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.escalations.facts import build_facts
from careline.escalations.models import Notification
from careline.escalations.services import current_rules, current_ruleset, save_rules
from careline.workflow.rules import RuleValidationError, trace

router = Router(tags=["escalations"])


def _supervisor(request: HttpRequest) -> User:
    user = api_user(request)
    if not user.is_supervisor_or_admin:
        raise HttpError(403, "only supervisors and admins manage escalation rules")
    return user


def _conversation(user: User, conversation_id: int) -> Conversation:
    try:
        return get_conversation_for_user(user, conversation_id)
    except Http404 as exc:
        raise HttpError(404, "no such conversation") from exc


class RulesOut(Schema):
    version: int | None
    saved_at: datetime | None
    saved_by: str | None
    rules: list[dict[str, Any]]


class RulesIn(Schema):
    rules: list[dict[str, Any]]
    note: str = ""


class FieldErrorOut(Schema):
    path: str
    message: str


class RulesRefusedOut(Schema):
    detail: str
    errors: list[FieldErrorOut]


def _rules_out() -> RulesOut:
    version = current_ruleset()
    return RulesOut(
        version=version.version if version else None,
        saved_at=version.created_at if version else None,
        saved_by=version.created_by.username if version and version.created_by else None,
        rules=[r.to_dict() for r in current_rules()],
    )


@router.get("/rules", response=RulesOut, summary="The escalation rules in force")
def get_rules(request: HttpRequest) -> RulesOut:
    _supervisor(request)
    return _rules_out()


@router.put(
    "/rules",
    response={200: RulesOut, 400: RulesRefusedOut},
    summary="Replace the rules (a new version)",
)
def put_rules(request: HttpRequest, payload: RulesIn) -> Any:
    actor = _supervisor(request)
    try:
        save_rules(text=json.dumps(payload.rules), actor=actor, note=payload.note)
    except RuleValidationError as exc:
        errors = [FieldErrorOut(path=e.path, message=e.message) for e in exc.errors]
        return Status(400, RulesRefusedOut(detail=str(exc), errors=errors))
    return Status(200, _rules_out())


class EscalationOut(Schema):
    at: datetime
    trigger: str
    rules: list[str]
    path: list[str]
    notes: list[str]
    owner: str | None
    owner_reason: str
    due_at: str | None


class CaseEscalationOut(Schema):
    conversation: int
    owner: str | None
    team: str | None
    due_at: datetime | None
    reason: str
    escalations: list[EscalationOut]


@router.get(
    "/conversations/{conversation_id}",
    response=CaseEscalationOut,
    summary="A case's escalation: owner, due time and the path it took",
)
def case_escalation(request: HttpRequest, conversation_id: int) -> CaseEscalationOut:
    case = _conversation(api_user(request), conversation_id)
    events = CaseEvent.objects.filter(conversation=case, kind=EventKind.ESCALATED).order_by(
        "created_at", "id"
    )
    return CaseEscalationOut(
        conversation=case.pk,
        owner=case.assignee.username if case.assignee else None,
        team=case.team.name if case.team else None,
        due_at=case.escalation_due_at,
        reason=case.escalation_reason,
        escalations=[
            EscalationOut(
                at=e.created_at,
                trigger=str(e.data.get("trigger", "")),
                rules=list(e.data.get("rules", [])),
                path=list(e.data.get("path", [])),
                notes=list(e.data.get("notes", [])),
                owner=e.data.get("owner"),
                owner_reason=str(e.data.get("owner_reason", "")),
                due_at=e.data.get("due_at"),
            )
            for e in events
        ],
    )


class TraceOut(Schema):
    rule: str
    name: str
    outcome: str
    reason: str


@router.get(
    "/conversations/{conversation_id}/trace",
    response=list[TraceOut],
    summary="What the rules in force make of a case now (changes nothing)",
)
def case_trace(request: HttpRequest, conversation_id: int) -> list[TraceOut]:
    case = _conversation(_supervisor(request), conversation_id)
    rows = trace(current_rules(), build_facts(case))
    return [
        TraceOut(rule=r.rule.id, name=r.rule.name, outcome=r.outcome, reason=r.reason) for r in rows
    ]


class NotificationOut(Schema):
    id: int
    kind: str
    conversation: int | None
    target: str
    channel: str
    subject: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    sent_at: datetime | None

    @staticmethod
    def resolve_conversation(obj: Notification) -> int | None:
        return obj.conversation_id

    @staticmethod
    def resolve_target(obj: Notification) -> str:
        return obj.target_name

    @staticmethod
    def resolve_attempts(obj: Notification) -> int:
        return obj.attempt_count


@router.get("/notifications", response=list[NotificationOut], summary="Notifications sent")
@paginate(Paging)
def list_notifications(request: HttpRequest) -> QuerySet[Notification]:
    _supervisor(request)
    return Notification.objects.order_by("-created_at", "-id")
