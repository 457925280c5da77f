"""Read-only queries the web pages need beyond the inbox selectors."""

from __future__ import annotations

from django.db.models import QuerySet

from careline.accounts.access import visible_conversations
from careline.accounts.models import User
from careline.assessments.subjects import with_redacted_subject
from careline.cases.models import Conversation

__all__ = ["other_conversations", "with_redacted_subject"]


def other_conversations(user: User, conversation: Conversation) -> QuerySet[Conversation]:
    """The same person's other cases that ``user`` may see, most recent activity first.

    "The same person" is the customer behind the author (who may post from several platform
    identities), else the author alone. Empty when the case has no known author.
    """
    author = conversation.author
    if author is None:
        return Conversation.objects.none()
    queryset = visible_conversations(user).exclude(pk=conversation.pk)
    if author.customer_id is not None:
        queryset = queryset.filter(author__customer_id=author.customer_id)
    else:
        queryset = queryset.filter(author=author)
    return with_redacted_subject(queryset.select_related("channel")).order_by(
        "-last_message_at", "-id"
    )
