"""Reads the API needs beyond ``careline.inbox.selectors``. Read-only; scoped by
``careline.accounts.access`` like everything else."""

from __future__ import annotations

from django.db.models import QuerySet

from careline.accounts.access import visible_conversations
from careline.accounts.models import User
from careline.assessments.selectors import corrections_prefetch
from careline.cases.models import Conversation
from careline.inbox.models import Message
from careline.inbox.selectors import InboxFilters, inbox_conversations


def api_conversations(user: User, filters: InboxFilters) -> QuerySet[Conversation]:
    """The inbox list; also joins the team, which the API serialises for every item."""
    return inbox_conversations(user, filters).select_related("team")


def visible_messages(
    user: User,
    *,
    conversation_id: int | None = None,
    direction: str | None = None,
    channel: str | None = None,
) -> QuerySet[Message]:
    """Messages of the cases ``user`` may see, newest first; the filters narrow it down.

    A ``conversation_id`` the user may not see gives an empty list, like an unknown one.
    """
    queryset = Message.objects.filter(conversation__in=visible_conversations(user))
    if conversation_id is not None:
        queryset = queryset.filter(conversation_id=conversation_id)
    if direction:
        queryset = queryset.filter(direction=direction)
    if channel:
        queryset = queryset.filter(channel__name=channel)
    return (
        queryset.select_related("author", "sent_by", "channel", "outbox", "assessment")
        .prefetch_related(corrections_prefetch())
        .order_by("-created_at", "-id")
    )


def user_named(username: str) -> User | None:
    return User.objects.filter(username=username).first()
