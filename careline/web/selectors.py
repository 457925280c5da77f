"""Read-only queries the web pages need beyond the inbox selectors."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from careline.accounts.access import visible_conversations
from careline.accounts.models import User
from careline.assessments.models import Assessment
from careline.cases.models import Conversation


def with_redacted_subject(queryset: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """Annotate whether the case's first message exposes private data (``first_private``)
    and its redacted text (``first_redacted``): the subject is the start of that message, and
    lists show it redacted (see the ``subject_of`` template filter)."""
    first = Assessment.objects.filter(message__conversation=OuterRef("pk")).order_by(
        "message__created_at", "message_id"
    )
    return queryset.annotate(
        first_private=Subquery(first.values("has_private_data")[:1]),
        first_redacted=Subquery(first.values("redacted")[:1]),
    )


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
