"""``/messages``: messages across the cases the user may see."""

# No `from __future__ import annotations`: ninja reads the endpoint annotations at runtime,
# through decorators (paginate) whose module cannot resolve string annotations.
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from careline.api.auth import api_user
from careline.api.paging import Paging
from careline.api.schemas import MessageFilters, MessageOut
from careline.api.selectors import visible_messages
from careline.inbox.models import Message

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
