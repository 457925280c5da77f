"""``/replies``: playbooks (read), drafts from them, and replies held for approval."""

# No `from __future__ import annotations`: ninja reads the endpoint annotations at runtime.
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from careline.accounts.access import get_conversation_for_user
from careline.accounts.models import User
from careline.api.auth import api_user
from careline.replies.approval import (
    approve_held_reply,
    pending_approvals,
    reject_held_reply,
)
from careline.replies.drafting import DraftError, draft_variants
from careline.replies.models import HeldReply, Playbook
from careline.replies.playbook_text import PURPOSES

router = Router(tags=["replies"])


class PlaybookOut(Schema):
    id: int
    kind: str = Field(description='"" for any kind.')
    topic: str = Field(description='"" for any topic.')
    purpose: str
    name: str
    variants: list[str]
    active: bool
    updated_at: datetime
    updated_by: str | None


class DraftOut(Schema):
    text: str
    reason: str
    playbook: str
    purpose: str
    variant: int = Field(description="0-based index of the playbook variant.")
    variant_count: int
    public: bool
    variables: dict[str, str]


class HeldReplyOut(Schema):
    id: int
    conversation: int
    text: str
    public: bool
    status: str
    author: str | None
    approval_reasons: list[str]
    findings: list[dict[str, Any]]
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str


class DecisionIn(Schema):
    reason: str = ""


def held_out(held: HeldReply) -> dict[str, Any]:
    return {
        "id": held.pk,
        "conversation": held.conversation_id,
        "text": held.text,
        "public": held.public,
        "status": held.status,
        "author": held.author.username if held.author else None,
        "approval_reasons": list(held.approval_reasons),
        "findings": list(held.findings),
        "created_at": held.created_at,
        "decided_by": held.decided_by.username if held.decided_by else None,
        "decided_at": held.decided_at,
        "decision_reason": held.decision_reason,
    }


def _supervisor(request: HttpRequest) -> User:
    user = api_user(request)
    if not user.is_supervisor_or_admin:
        raise HttpError(403, "only supervisors and admins")
    return user


@router.get("/playbooks", response=list[PlaybookOut], summary="List the playbooks")
def list_playbooks(request: HttpRequest) -> list[dict[str, Any]]:
    api_user(request)
    return [
        {
            "id": p.pk,
            "kind": p.kind,
            "topic": p.topic,
            "purpose": p.purpose,
            "name": p.name,
            "variants": list(p.variants),
            "active": p.active,
            "updated_at": p.updated_at,
            "updated_by": p.updated_by.username if p.updated_by else None,
        }
        for p in Playbook.objects.select_related("updated_by")
    ]


@router.get(
    "/conversations/{conversation_id}/drafts",
    response=list[DraftOut],
    summary="Draft replies from the playbook",
)
def list_drafts(
    request: HttpRequest, conversation_id: int, purpose: str = "initial", public: bool | None = None
) -> list[dict[str, Any]]:
    user = api_user(request)
    try:
        conversation = get_conversation_for_user(user, conversation_id)
    except Http404 as exc:
        raise HttpError(404, "no such conversation") from exc
    if purpose not in PURPOSES:
        raise HttpError(400, f"purpose must be one of {', '.join(PURPOSES)}")
    try:
        drafts = draft_variants(conversation, purpose=purpose, agent=user, public=public)
    except DraftError as exc:
        raise HttpError(400, str(exc)) from exc
    return [
        {
            "text": d.text,
            "reason": d.reason,
            "playbook": d.playbook,
            "purpose": d.purpose,
            "variant": d.variant,
            "variant_count": d.variant_count,
            "public": d.public,
            "variables": d.variables,
        }
        for d in drafts
    ]


@router.get("/held", response=list[HeldReplyOut], summary="Replies awaiting approval")
def list_held(request: HttpRequest) -> list[dict[str, Any]]:
    _supervisor(request)
    return [held_out(h) for h in pending_approvals()]


def _held(held_id: int) -> HeldReply:
    held = HeldReply.objects.select_related("author", "decided_by").filter(pk=held_id).first()
    if held is None:
        raise HttpError(404, "no such held reply")
    return held


@router.post("/held/{held_id}/approve", response=HeldReplyOut, summary="Approve and send")
def approve(request: HttpRequest, held_id: int, payload: DecisionIn) -> dict[str, Any]:
    user = _supervisor(request)
    try:
        approve_held_reply(_held(held_id), actor=user, reason=payload.reason)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return held_out(_held(held_id))


@router.post("/held/{held_id}/reject", response=HeldReplyOut, summary="Reject (never sent)")
def reject(request: HttpRequest, held_id: int, payload: DecisionIn) -> dict[str, Any]:
    user = _supervisor(request)
    try:
        reject_held_reply(_held(held_id), actor=user, reason=payload.reason)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return held_out(_held(held_id))
