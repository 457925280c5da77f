"""The response-path panel on the conversation page: per inbound item, the recommended path
with its reason and steps, and the duty-of-care actions; for the case, the decision not to
reply."""

from __future__ import annotations

from typing import Any

from django import template

from careline.cases.models import Conversation
from careline.replies.moderation import NO_REPLY_REASONS, case_items

register = template.Library()

PATH_LABELS = {
    "hybrid": "Public acknowledgment + private resolution",
    "public": "Public answer",
    "private": "Private only",
    "no_reply": "No reply (record why)",
}
SHOWN_ITEMS = 20  # the latest; older items keep their recommendation in the API


@register.inclusion_tag("web/moderation/_panel.html", takes_context=True)
def path_panel(context: template.Context, conversation: Conversation) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    items = case_items(conversation)
    hidden_count = max(0, len(items) - SHOWN_ITEMS)
    return {
        "conversation": conversation,
        "items": items[-SHOWN_ITEMS:],
        "older": hidden_count,
        "path_labels": PATH_LABELS,
        "no_reply_reasons": list(NO_REPLY_REASONS.items()),
        "is_supervisor": bool(user is not None and getattr(user, "is_supervisor_or_admin", False)),
        "csrf_token": context.get("csrf_token"),
        # A case the team answered has nothing to decide (the service refuses it too).
        "can_decide": conversation.no_reply_at is None
        and conversation.first_response_at is None
        and conversation.status != "closed",
    }


@register.filter
def path_label(path: str) -> str:
    return PATH_LABELS.get(path, path)
