"""The composer's tools on the conversation page, as one inclusion tag:
``{% load compose %}{% composer_tools %}`` inside the composer section."""

from __future__ import annotations

from typing import Any

from django import template

from careline.accounts.models import User
from careline.replies.playbook_text import PURPOSES

register = template.Library()


@register.inclusion_tag("web/compose/_panel.html", takes_context=True)
def composer_tools(context: template.Context) -> dict[str, Any]:
    from careline.web.compose_views import held_for_case

    conversation = context["conversation"]
    user = context.get("user")
    return {
        "conversation": conversation,
        "held": held_for_case(conversation.pk),
        "can_approve": isinstance(user, User) and user.is_supervisor_or_admin,
        "purposes": PURPOSES,
        "csrf_token": context.get("csrf_token"),
    }
