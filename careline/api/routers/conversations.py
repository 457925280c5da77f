"""``/conversations``: the inbox, one case with its history and thread, and the actions on it."""

# No `from __future__ import annotations`: ninja reads the endpoint annotations at runtime,
# through decorators (paginate) whose module cannot resolve string annotations.
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from careline.accounts.access import get_conversation_for_user
from careline.accounts.models import User
from careline.api.auth import api_user
from careline.api.paging import Paging
from careline.api.routers.replies import HeldReplyOut, held_out
from careline.api.schemas import (
    AssignIn,
    ConversationDetailOut,
    ConversationFilters,
    ConversationOut,
    MessageOut,
    ReplyIn,
    StatusIn,
)
from careline.api.selectors import api_conversations, user_named
from careline.assessments.subjects import with_redacted_subject
from careline.cases.models import Conversation
from careline.cases.services import assign_case, transition_case
from careline.inbox.models import Message
from careline.inbox.selectors import conversation_thread
from careline.replies.approval import send_or_hold_reply

router = Router(tags=["conversations"])


def _conversation(user: User, conversation_id: int) -> Conversation:
    """The case, or a 404 that reads the same for a missing case and another team's case."""
    try:
        return get_conversation_for_user(user, conversation_id)
    except Http404 as exc:
        raise HttpError(404, "no such conversation") from exc


@router.get("", response=list[ConversationOut], summary="List conversations")
@paginate(Paging)
def list_conversations(
    request: HttpRequest, filters: Query[ConversationFilters]
) -> QuerySet[Conversation]:
    return with_redacted_subject(api_conversations(api_user(request), filters.as_inbox_filters()))


@router.get("/{conversation_id}", response=ConversationDetailOut, summary="Get a conversation")
def get_conversation(request: HttpRequest, conversation_id: int) -> Conversation:
    return _conversation(api_user(request), conversation_id)


@router.get(
    "/{conversation_id}/messages", response=list[MessageOut], summary="A conversation's messages"
)
@paginate(Paging)
def list_conversation_messages(request: HttpRequest, conversation_id: int) -> QuerySet[Message]:
    return conversation_thread(_conversation(api_user(request), conversation_id))


@router.post(
    "/{conversation_id}/replies",
    response={201: MessageOut, 202: HeldReplyOut},
    summary="Post a reply (202: held for a supervisor's approval)",
)
def post_reply(
    request: HttpRequest, conversation_id: int, payload: ReplyIn
) -> Status[Message] | Status[dict[str, Any]]:
    user = api_user(request)
    conversation = _conversation(user, conversation_id)
    sent = send_or_hold_reply(conversation, text=payload.text, public=payload.public, actor=user)
    if sent.held is not None:
        return Status(202, held_out(sent.held))
    outbound = sent.outbound
    assert outbound is not None  # not held: queued
    message_id = outbound.message_id
    assert message_id is not None  # a reply always has its message (moderation: not)
    # Re-read: delivery may already have run and set the platform id and delivery status.
    return Status(201, conversation_thread(conversation).get(pk=message_id))


@router.post(
    "/{conversation_id}/status", response=ConversationDetailOut, summary="Change the status"
)
def change_status(request: HttpRequest, conversation_id: int, payload: StatusIn) -> Conversation:
    user = api_user(request)
    conversation = _conversation(user, conversation_id)
    transition_case(conversation, to=payload.status, actor=user, reason=payload.reason)
    return _conversation(user, conversation_id)


@router.post(
    "/{conversation_id}/assignee", response=ConversationDetailOut, summary="Change the assignee"
)
def change_assignee(request: HttpRequest, conversation_id: int, payload: AssignIn) -> Conversation:
    user = api_user(request)
    conversation = _conversation(user, conversation_id)
    assignee = None
    if payload.assignee is not None:
        assignee = user_named(payload.assignee)
        if assignee is None:
            raise HttpError(400, f"no user named {payload.assignee!r}")
    assign_case(conversation, assignee=assignee, actor=user, reason=payload.reason)
    return _conversation(user, conversation_id)
