"""``/moderation``: paths per item, no-reply decisions, hide/flag/remove, per persona."""

from __future__ import annotations

import pytest
from django.test import Client

from careline.accounts.models import User
from careline.assessments.models import Assessment
from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.replies.models import OutboundMessage

from .support import NOW_JSON, get, post, snapshot

pytestmark = pytest.mark.django_db

SUSPICIOUS = [{"rule": "gibberish", "weight": 0.6, "reason": "mostly unknown words"}]


def triage(case: Conversation, **fields: object) -> int:
    message = case.messages.get()
    Assessment.objects.filter(message=message).update(**fields)
    return message.pk


def test_paths_list_every_item_with_its_reason(
    client: Client, case: Conversation, agent: User
) -> None:
    message_id = triage(
        case, kind="question", sentiment="neutral", legitimacy="legitimate", private_data=[]
    )

    response = get(client, f"/moderation/conversations/{case.pk}/paths", agent)

    assert response.status_code == 200
    assert response.json() == [
        {
            "message_id": message_id,
            "external_id": "p1",
            "path": "public",
            "reason": "simple question: answer it where it was asked, others may have it too",
            "steps": ["Answer publicly"],
            "moderation": {
                "action": "none",
                "reason": "nothing to hide: no private data, not offensive",
                "explain_privately": False,
            },
            "flagged": False,
            "hidden": False,
            "deleted": False,
            "hide_pending": False,
        }
    ]


def test_an_outsider_gets_404_everywhere_and_nothing_changes(
    client: Client, case: Conversation, outsider: User
) -> None:
    message_id = triage(case, kind="spam", legitimacy="suspicious", evidence=SUSPICIOUS)
    before = snapshot()

    assert get(client, f"/moderation/conversations/{case.pk}/paths", outsider).status_code == 404
    for path, body in [
        (f"/moderation/conversations/{case.pk}/no-reply", {"reason": "spam"}),
        (f"/moderation/messages/{message_id}/hide", {"reason": "spam"}),
        (f"/moderation/messages/{message_id}/flag", {}),
        (f"/moderation/messages/{message_id}/duty-of-care", {}),
    ]:
        assert post(client, path, outsider, body).status_code == 404

    assert snapshot() == before


def test_an_agent_records_a_decision_not_to_reply(
    client: Client, case: Conversation, agent: User
) -> None:
    response = post(
        client,
        f"/moderation/conversations/{case.pk}/no-reply",
        agent,
        {"reason": "duplicate", "note": "same as case 7"},
    )

    assert response.status_code == 201
    assert response.json() == {
        "conversation_id": case.pk,
        "no_reply_reason": "Duplicate: same as case 7",
        "no_reply_at": NOW_JSON,
        "no_reply_by": "alice",
    }
    again = post(client, f"/moderation/conversations/{case.pk}/no-reply", agent, {"reason": "spam"})
    assert again.status_code == 400
    assert again.json() == {
        "detail": "a decision not to reply is recorded already: Duplicate: same as case 7"
    }


def test_hiding_legitimate_criticism_is_400_with_the_reason(
    client: Client, case: Conversation, agent: User
) -> None:
    message_id = triage(case, kind="complaint", legitimacy="legitimate", offensive_score=0.1)
    Conversation.objects.filter(pk=case.pk).update(triage_kind="complaint")

    response = post(client, f"/moderation/messages/{message_id}/hide", agent, {"reason": "no"})

    assert response.status_code == 400
    assert response.json() == {
        "detail": "legitimate criticism is never hidden: this complaint is legitimate, not "
        "offensive to others and exposes no private data — answer it instead"
    }
    assert OutboundMessage.objects.count() == 0
    assert CaseEvent.objects.filter(kind=EventKind.MODERATION_REFUSED).count() == 1


def test_a_suspicious_item_is_flagged_and_only_a_supervisor_removes_it(
    client: Client, case: Conversation, agent: User, supervisor: User
) -> None:
    message_id = triage(case, kind="spam", legitimacy="suspicious", evidence=SUSPICIOUS)

    flagged = post(client, f"/moderation/messages/{message_id}/flag", agent, {})
    by_agent = post(client, f"/moderation/messages/{message_id}/remove", agent, {})
    by_supervisor = post(client, f"/moderation/messages/{message_id}/remove", supervisor, {})

    assert flagged.status_code == 201
    assert flagged.json()["reason"] == "flagged for removal: not legitimate: mostly unknown words"
    assert by_agent.status_code == 403
    # The test channel relays through a bridge: it can neither delete nor hide.
    assert by_supervisor.status_code == 400
    assert by_supervisor.json() == {
        "detail": "shop-webhook replies through a bridge, which cannot hide items"
    }
    assert OutboundMessage.objects.count() == 0


def test_duty_of_care_on_private_data_asks_the_person_to_delete_it_where_it_cannot_hide(
    client: Client, case: Conversation, agent: User
) -> None:
    message_id = triage(
        case,
        kind="complaint",
        has_private_data=True,
        private_data=[{"type": "phone", "start": 0, "end": 5}],
    )

    response = post(client, f"/moderation/messages/{message_id}/duty-of-care", agent, {})

    assert response.status_code == 201
    body = response.json()
    assert (body["action"], body["reason"], body["moderation_outbound_id"]) == (
        "hide",
        "exposes private data in public (phone)",
        None,
    )
    explanation = OutboundMessage.objects.get(pk=body["explanation_outbound_id"])
    assert "a phone number" in explanation.message.text
