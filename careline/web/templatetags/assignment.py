"""The conversation page's assignment panel (``{% assignment_panel conversation %}``):
collision warning, latest handover note, the handover form, and a reminder when the viewer
is marked away.

Read-only: the page's heartbeat (``assignment_views.presence``) records presence.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from careline.accounts.models import User
from careline.assignment.models import AgentProfile
from careline.assignment.selectors import latest_handover
from careline.cases.models import Conversation
from careline.cases.workflow import Status
from careline.web.assignment_views import HandoverForm, presence_context

register = template.Library()


@register.inclusion_tag("web/assignment/_panel.html", takes_context=True)
def assignment_panel(context: template.Context, conversation: Conversation) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {"show": False}
    now = timezone.now()
    handover = latest_handover(conversation)
    to_viewer = bool(
        handover
        and conversation.assignee_id == user.pk
        and (handover.data or {}).get("to_user") == user.username
    )
    profile = AgentProfile.objects.filter(user=user).first()
    can_hand_over = conversation.status != Status.CLOSED and (
        user.is_supervisor_or_admin or conversation.assignee_id == user.pk
    )
    return {
        "show": True,
        "request": request,
        "viewer": user,
        "handover": handover,
        "handover_to_viewer": to_viewer,
        "can_hand_over": can_hand_over,
        "handover_form": HandoverForm(conversation=conversation) if can_hand_over else None,
        "away": profile is not None and not profile.is_available(now),
        **presence_context(conversation, user=user, opened=now),
    }
