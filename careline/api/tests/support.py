"""Helpers for the API tests: authenticated requests and a snapshot to prove nothing changed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client

from careline.accounts.models import User
from careline.accounts.services import issue_api_token
from careline.cases.models import CaseEvent, Conversation
from careline.inbox.models import Message
from careline.replies.models import OutboundMessage
from conftest import T0

NOW = T0 + timedelta(hours=1)
NOW_JSON = "2026-11-02T10:00:00Z"
BASE = "/api/v1"


def bearer(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_api_token(user)}"}


def get(client: Client, path: str, user: User, **params: Any) -> Any:
    return client.get(BASE + path, params, headers=bearer(user))


def post(client: Client, path: str, user: User, body: dict[str, Any]) -> Any:
    return client.post(BASE + path, body, content_type="application/json", headers=bearer(user))


def snapshot() -> dict[str, Any]:
    """Everything an API call could change, to compare before and after a denied one."""
    return {
        "cases": list(
            Conversation.objects.order_by("id").values_list(
                "id",
                "status",
                "assignee_id",
                "message_count",
                "last_message_at",
                "new_at",
                "open_at",
                "pending_at",
                "escalated_at",
                "resolved_at",
                "closed_at",
            )
        ),
        "messages": list(Message.objects.order_by("id").values_list("id", "text", "external_id")),
        "events": list(CaseEvent.objects.order_by("id").values_list("id", "kind")),
        "outbound": OutboundMessage.objects.count(),
    }
