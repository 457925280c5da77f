"""``/messages``: messages across the cases the user may see."""

# No `from __future__ import annotations`: ninja reads the endpoint annotations at runtime,
# through decorators (paginate) whose module cannot resolve string annotations.
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from careline.api.auth import api_user
from careline.api.paging import Paging
from careline.api.schemas import CorrectionIn, MessageFilters, MessageOut
from careline.api.selectors import visible_messages
from careline.assessments.services import correct_assessment
from careline.inbox.models import Direction, Message

router = Router(tags=["messages"])


@router.get("", response=list[MessageOut], summary="List messages, newest first")
@paginate(Paging)
def list_messages(request: HttpRequest, filters: Query[MessageFilters]) -> QuerySet[Message]:
    return visible_messages(
        api_user(request),
        conversation_id=filters.conversation,
        direction=filters.direction,
        channel=filters.channel,
    )


@router.post(
    "/{message_id}/corrections",
    response={201: MessageOut},
    summary="Correct a message's triage (kind, sentiment, topic)",
)
def post_correction(
    request: HttpRequest, message_id: int, payload: CorrectionIn
) -> Status[Message]:
    """Records a correction per changed field (training data for `careline train
    --with-corrections`) and answers the message with its updated triage. 400 when nothing
    changes or a value is unknown; 404 for a message of a case the user may not see."""
    user = api_user(request)
    message = visible_messages(user).filter(pk=message_id).first()
    if message is None:
        raise HttpError(404, "no such message")
    if message.direction != Direction.INBOUND:
        raise HttpError(400, "only customers' messages have a triage to correct")
    correct_assessment(
        message,
        actor=user,
        kind=payload.kind,
        sentiment=payload.sentiment,
        topic=payload.topic,
    )
    return Status(201, visible_messages(user).get(pk=message_id))
