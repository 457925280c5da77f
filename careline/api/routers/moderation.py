"""``/moderation``: the recommended response path of every item of a case, duty-of-care
moderation (hide, flag for removal, remove) and the recorded decision not to reply.

Same rules as the web app (docs/moderation.md): other teams' cases and their items are 404;
a refused action is 400 with the reason (legitimate criticism is never hidden).
"""

# No `from __future__ import annotations`: ninja reads the endpoint annotations at runtime.
from datetime import datetime

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from careline.accounts.access import get_conversation_for_user
from careline.accounts.models import User
from careline.api.auth import api_user
from careline.cases.models import Conversation
from careline.inbox.models import Direction, Message
from careline.replies.moderation import (
    ItemView,
    ModerationOutcome,
    case_items,
    decide_no_reply,
    flag_for_removal,
    hide_message,
    moderate_for_duty_of_care,
    remove_flagged,
)

router = Router(tags=["moderation"])


class ModerationOut(Schema):
    action: str
    reason: str
    explain_privately: bool


class PathOut(Schema):
    message_id: int
    external_id: str | None
    path: str
    reason: str
    steps: list[str]
    moderation: ModerationOut
    flagged: bool
    hidden: bool
    deleted: bool
    hide_pending: bool


class NoReplyIn(Schema):
    reason: str
    note: str = ""


class NoReplyOut(Schema):
    conversation_id: int
    no_reply_reason: str
    no_reply_at: datetime | None
    no_reply_by: str | None


class ReasonIn(Schema):
    reason: str = ""


class ActionOut(Schema):
    action: str
    reason: str
    moderation_outbound_id: int | None = None
    explanation_outbound_id: int | None = None
    explanation_error: str = ""
    event_id: int | None = None


def _conversation(user: User, conversation_id: int) -> Conversation:
    try:
        return get_conversation_for_user(user, conversation_id)
    except Http404 as exc:
        raise HttpError(404, "no such conversation") from exc


def _message(user: User, message_id: int) -> Message:
    message = (
        Message.objects.select_related("assessment", "channel", "conversation")
        .filter(pk=message_id, direction=Direction.INBOUND)
        .first()
    )
    if message is None:
        raise HttpError(404, "no such message")
    _conversation(user, message.conversation_id)  # 404 for another team's item
    return message


def _path_out(view: ItemView) -> PathOut:
    return PathOut(
        message_id=view.message.pk,
        external_id=view.message.external_id,
        path=view.path.path,
        reason=view.path.reason,
        steps=list(view.path.steps),
        moderation=ModerationOut(
            action=view.moderation.action,
            reason=view.moderation.reason,
            explain_privately=view.moderation.explain_privately,
        ),
        flagged=view.flagged,
        hidden=view.message.hidden_at is not None,
        deleted=view.message.deleted_at is not None,
        hide_pending=view.hide_pending,
    )


def _outcome(outcome: ModerationOutcome) -> ActionOut:
    return ActionOut(
        action=outcome.decision.action,
        reason=outcome.decision.reason,
        moderation_outbound_id=outcome.moderation.pk if outcome.moderation else None,
        explanation_outbound_id=outcome.explanation.pk if outcome.explanation else None,
        explanation_error=outcome.explanation_error,
        event_id=outcome.event.pk if outcome.event else None,
    )


@router.get(
    "/conversations/{conversation_id}/paths",
    response=list[PathOut],
    summary="Recommended response path of every customer item in a case",
)
def list_paths(request: HttpRequest, conversation_id: int) -> list[PathOut]:
    """Per inbound item, in thread order: ``path`` (hybrid, public, private, no_reply) with
    its ``reason`` and ``steps``, and what duty of care asks of it (``moderation.action``:
    hide, flag, refuse — legitimate criticism, never hidden — or none)."""
    case = _conversation(api_user(request), conversation_id)
    return [_path_out(view) for view in case_items(case)]


@router.post(
    "/conversations/{conversation_id}/no-reply",
    response={201: NoReplyOut},
    summary="Record the decision not to reply to a case",
)
def post_no_reply(
    request: HttpRequest, conversation_id: int, payload: NoReplyIn
) -> Status[NoReplyOut]:
    """``reason``: spam, duplicate, handled_elsewhere, not_addressed or abusive; ``note``
    (up to 500 characters) is required for duplicate and handled_elsewhere. 400 for a case
    already answered or decided, or spam/abusive on a complaint triage finds legitimate."""
    user = api_user(request)
    case = _conversation(user, conversation_id)
    decided = decide_no_reply(case, actor=user, reason=payload.reason, note=payload.note)
    by = decided.no_reply_by.get_username() if decided.no_reply_by else None
    return Status(
        201,
        NoReplyOut(
            conversation_id=decided.pk,
            no_reply_reason=decided.no_reply_reason,
            no_reply_at=decided.no_reply_at,
            no_reply_by=by,
        ),
    )


@router.post(
    "/messages/{message_id}/duty-of-care",
    response={201: ActionOut},
    summary="Do what duty of care asks of an item (hide and explain, or flag)",
)
def post_duty_of_care(request: HttpRequest, message_id: int) -> Status[ActionOut]:
    user = api_user(request)
    outcome = moderate_for_duty_of_care(_message(user, message_id), actor=user)
    return Status(201, _outcome(outcome))


@router.post(
    "/messages/{message_id}/hide",
    response={201: ActionOut},
    summary="Hide an item on its platform, with a reason",
)
def post_hide(request: HttpRequest, message_id: int, payload: ReasonIn) -> Status[ActionOut]:
    """400 with the reason for legitimate criticism (recorded as a refusal), a missing
    reason, or a platform that cannot hide the item."""
    user = api_user(request)
    outcome = hide_message(_message(user, message_id), actor=user, reason=payload.reason[:500])
    return Status(201, _outcome(outcome))


@router.post(
    "/messages/{message_id}/flag",
    response={201: ActionOut},
    summary="Flag a not-legitimate item for removal, with the evidence",
)
def post_flag(request: HttpRequest, message_id: int, payload: ReasonIn) -> Status[ActionOut]:
    user = api_user(request)
    event = flag_for_removal(_message(user, message_id), actor=user, reason=payload.reason[:500])
    return Status(201, ActionOut(action="flag", reason=event.reason, event_id=event.pk))


@router.post(
    "/messages/{message_id}/remove",
    response={201: ActionOut},
    summary="Remove a flagged item (supervisors)",
)
def post_remove(request: HttpRequest, message_id: int) -> Status[ActionOut]:
    user = api_user(request)
    if not user.is_supervisor_or_admin:
        raise HttpError(403, "removing a flagged item is a supervisor's decision")
    outbound = remove_flagged(_message(user, message_id), actor=user)
    return Status(
        201,
        ActionOut(
            action=str(outbound.action),
            reason=outbound.reason,
            moderation_outbound_id=outbound.pk,
        ),
    )
