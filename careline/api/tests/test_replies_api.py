from __future__ import annotations

import httpx
import respx
from django.test import Client

from careline.accounts.models import User
from careline.cases.models import Conversation
from careline.replies.models import HeldReply, HeldStatus, OutboundMessage
from careline.replies.playbooks import save_playbook
from conftest import CALLBACK_URL

from .support import get, post

OFFER = "Hi U1, sorry about the parcel. I can offer you a £100 credit. - Alice"


def _complaint(case: Conversation) -> None:
    Conversation.objects.filter(pk=case.pk).update(triage_kind="complaint", triage_topic="delivery")


def test_an_agents_risky_reply_is_202_held_and_not_sent(
    client: Client, agent: User, case: Conversation, platform_http: respx.MockRouter
) -> None:
    _complaint(case)

    response = post(
        client, f"/conversations/{case.pk}/replies", agent, {"text": OFFER, "public": True}
    )

    assert response.status_code == 202
    body = response.json()
    held = HeldReply.objects.get()
    assert (body["id"], body["status"], body["author"], body["text"]) == (
        held.pk,
        "held",
        "alice",
        OFFER,
    )
    assert body["approval_reasons"] == held.approval_reasons
    assert OutboundMessage.objects.count() == 0
    assert not platform_http.calls


def test_supervisors_list_approve_and_reject_held_replies(
    client: Client,
    agent: User,
    supervisor: User,
    case: Conversation,
    platform_http: respx.MockRouter,
    django_capture_on_commit_callbacks,
) -> None:
    platform_http.post(CALLBACK_URL).mock(return_value=httpx.Response(201, json={"id": "e1"}))
    _complaint(case)
    post(client, f"/conversations/{case.pk}/replies", agent, {"text": OFFER, "public": True})
    post(client, f"/conversations/{case.pk}/replies", agent, {"text": OFFER + "!", "public": True})
    first, second = HeldReply.objects.order_by("id")

    assert get(client, "/replies/held", agent).status_code == 403
    assert post(client, f"/replies/held/{first.pk}/approve", agent, {}).status_code == 403
    listed = get(client, "/replies/held", supervisor).json()
    assert [h["id"] for h in listed] == [first.pk, second.pk]

    with django_capture_on_commit_callbacks(execute=True):
        approved = post(client, f"/replies/held/{first.pk}/approve", supervisor, {"reason": "ok"})
    rejected = post(client, f"/replies/held/{second.pk}/reject", supervisor, {"reason": "no"})
    again = post(client, f"/replies/held/{second.pk}/approve", supervisor, {})

    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["decided_by"]) == ("approved", "sam")
    assert (rejected.json()["status"], rejected.json()["decision_reason"]) == ("rejected", "no")
    assert (again.status_code, again.json()) == (400, {"detail": "this reply was already rejected"})
    assert OutboundMessage.objects.get().message.text == OFFER
    assert platform_http.calls.call_count == 1
    assert HeldReply.objects.filter(status=HeldStatus.HELD).count() == 0
    assert post(client, "/replies/held/999/approve", supervisor, {}).status_code == 404


def test_drafts_come_in_three_variants_with_reasons(
    client: Client, agent: User, case: Conversation
) -> None:
    _complaint(case)

    response = get(client, f"/replies/conversations/{case.pk}/drafts", agent, purpose="initial")

    drafts = response.json()
    assert response.status_code == 200
    assert len(drafts) == 3
    assert len({d["text"] for d in drafts}) == 3
    assert {d["playbook"] for d in drafts} == {"Delivery complaint: first response"}
    assert all(", as asked" in d["reason"] for d in drafts[1:])
    assert get(client, f"/replies/conversations/{case.pk}/drafts", agent, purpose="x").json() == {
        "detail": (
            "purpose must be one of initial, escalation_notice, follow_up, resolution_check, "
            "satisfaction_ask, story_consent"
        )
    }


def test_drafts_of_another_teams_case_are_404(
    client: Client, outsider: User, case: Conversation
) -> None:
    response = get(client, f"/replies/conversations/{case.pk}/drafts", outsider)

    assert (response.status_code, response.json()) == (404, {"detail": "no such conversation"})


def test_playbooks_are_readable(client: Client, agent: User, supervisor: User) -> None:
    playbook = save_playbook(
        actor=supervisor,
        kind="question",
        topic="",
        purpose="initial",
        name="Questions",
        variants=["Hi {customer_name}!", "Hello {customer_name}."],
    )

    body = get(client, "/replies/playbooks", agent).json()

    assert [(p["id"], p["name"], p["variants"], p["updated_by"]) for p in body] == [
        (playbook.pk, "Questions", ["Hi {customer_name}!", "Hello {customer_name}."], "sam")
    ]
