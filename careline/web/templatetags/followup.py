"""``{% followup_panel conversation %}``: the follow-up panel of the conversation page."""

from __future__ import annotations

from typing import Any

from django import template

from careline.cases.models import Conversation
from careline.followup.selectors import followup_state

register = template.Library()


@register.inclusion_tag("web/followup/panel.html", takes_context=True)
def followup_panel(context: template.Context, conversation: Conversation) -> dict[str, Any]:
    return {
        "conversation": conversation,
        "state": followup_state(conversation),
        "csrf_token": context.get("csrf_token", ""),
        "user": context.get("user"),
    }
