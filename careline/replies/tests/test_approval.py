from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
import respx
from django.core.exceptions import PermissionDenied

from careline.accounts.models import User
from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.cases.services import CaseActionError, transition_case
from careline.inbox.models import Channel, Direction, Message
from careline.ingestion.services import ingest_items
from careline.replies.approval import (
    approve_held_reply,
    concession_limit_for,
    reject_held_reply,
    reply_context,
    send_or_hold_reply,
    set_concession_limit,
)
from careline.replies.models import HeldReply, HeldStatus, OutboundMessage, ReplyCheck
from conftest import CALLBACK_URL, item

pytestmark = pytest.mark.django_db

OFFER = "Hi Cust, sorry about the parcel. I can offer you a £100 credit. - Alice"
REASON = (
    "over concession: Offers £100.00, above your concession limit of £25.00; a supervisor must "
    "approve it."
)


@pytest.fixture
def platform() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        router.post(CALLBACK_URL).mock(return_value=httpx.Response(201, json={"id": "ext-1"}))
        yield router


@pytest.fixture
def case(generic_channel: Channel) -> Conversation:
    ingest_items(generic_channel, [item("p1", author="cust", text="My parcel is late")])
    Conversation.objects.update(triage_kind="complaint", triage_topic="delivery")
    return Conversation.objects.get()


def _kinds(case: Conversation) -> list[str]:
    return list(
        case.events.filter(
            kind__in=[
                EventKind.REPLY_HELD,
                EventKind.REPLY_APPROVED,
                EventKind.REPLY_REJECTED,
                EventKind.REPLY_QUEUED,
                EventKind.REPLY_SENT,
            ]
        ).values_list("kind", flat=True)
    )


def _outbound_replies(case: Conversation) -> int:
    return Message.objects.filter(conversation=case, direction=Direction.OUTBOUND).count()


def test_an_offer_over_the_agents_limit_is_held_not_sent(
    case: Conversation, agent: User, platform: respx.MockRouter, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        result = send_or_hold_reply(case, text=OFFER, public=True, actor=agent)

    assert result.was_held
    held = result.held
    assert held is not None
    assert (held.status, held.text, held.public, held.author) == (
        HeldStatus.HELD,
        OFFER,
        True,
        agent,
    )
    assert held.approval_reasons == [REASON]
    assert "over_concession" in {f["category"] for f in held.findings}
    assert OutboundMessage.objects.count() == 0
    assert _outbound_replies(case) == 0
    assert not platform.calls
    event = case.events.get(kind=EventKind.REPLY_HELD)
    assert (event.actor, event.reason) == (agent, f"held for a supervisor's approval: {REASON}")
    assert event.data == {"held": held.pk, "public": True, "reasons": [REASON]}


def test_a_supervisor_approves_and_the_reply_is_queued_and_delivered(
    case: Conversation,
    agent: User,
    supervisor: User,
    platform: respx.MockRouter,
    django_capture_on_commit_callbacks,
) -> None:
    held = send_or_hold_reply(case, text=OFFER, public=True, actor=agent).held
    assert held is not None

    with django_capture_on_commit_callbacks(execute=True):
        outbound = approve_held_reply(held, actor=supervisor, reason="goodwill, late twice")

    held.refresh_from_db()
    assert (held.status, held.decided_by, held.decision_reason, held.outbound) == (
        HeldStatus.APPROVED,
        supervisor,
        "goodwill, late twice",
        outbound,
    )
    outbound.refresh_from_db()
    assert outbound.status == "sent"
    assert outbound.message is not None
    assert (outbound.message.text, outbound.message.sent_by) == (OFFER, agent)
    assert json.loads(platform.calls.last.request.content)["text"] == OFFER
    assert _kinds(case) == ["reply_held", "reply_approved", "reply_queued", "reply_sent"]
    approved = case.events.get(kind=EventKind.REPLY_APPROVED)
    assert (approved.actor, approved.data) == (supervisor, {"held": held.pk, "author": "alice"})
    check = ReplyCheck.objects.get(outbound=outbound)
    assert (check.needs_approval, check.approval_reasons) == (True, [REASON])


def test_an_agent_cannot_approve(case: Conversation, agent: User) -> None:
    held = send_or_hold_reply(case, text=OFFER, public=True, actor=agent).held
    assert held is not None

    with pytest.raises(PermissionDenied):
        approve_held_reply(held, actor=agent)
    with pytest.raises(PermissionDenied):
        reject_held_reply(held, actor=agent, reason="no")

    held.refresh_from_db()
    assert held.status == HeldStatus.HELD
    assert OutboundMessage.objects.count() == 0
    assert _kinds(case) == ["reply_held"]


def test_a_rejected_reply_is_never_sent(
    case: Conversation, agent: User, supervisor: User, platform: respx.MockRouter
) -> None:
    held = send_or_hold_reply(case, text=OFFER, public=True, actor=agent).held
    assert held is not None

    with pytest.raises(CaseActionError, match="say why"):
        reject_held_reply(held, actor=supervisor, reason="  ")
    rejected = reject_held_reply(held, actor=supervisor, reason="offer a replacement instead")
    with pytest.raises(CaseActionError, match="already rejected"):
        approve_held_reply(held, actor=supervisor)

    assert (rejected.status, rejected.decision_reason) == (
        HeldStatus.REJECTED,
        "offer a replacement instead",
    )
    assert OutboundMessage.objects.count() == 0
    assert not platform.calls
    assert _kinds(case) == ["reply_held", "reply_rejected"]
    event = case.events.get(kind=EventKind.REPLY_REJECTED)
    assert (event.actor, event.reason) == (supervisor, "offer a replacement instead")


def test_approval_fails_cleanly_when_the_case_closed_meanwhile(
    case: Conversation, agent: User, supervisor: User
) -> None:
    held = send_or_hold_reply(case, text=OFFER, public=True, actor=agent).held
    assert held is not None
    transition_case(case, to="resolved", actor=supervisor)
    transition_case(case, to="closed", actor=supervisor)

    with pytest.raises(CaseActionError, match="replies are closed"):
        approve_held_reply(held, actor=supervisor)

    held.refresh_from_db()
    assert held.status == HeldStatus.HELD
    assert not CaseEvent.objects.filter(kind=EventKind.REPLY_APPROVED).exists()


def test_a_supervisors_own_risky_reply_is_sent_with_its_findings_recorded(
    case: Conversation, supervisor: User, platform: respx.MockRouter
) -> None:
    text = OFFER.replace("£100", "£500")
    result = send_or_hold_reply(case, text=text, public=True, actor=supervisor)

    assert result.held is None
    assert result.outbound is not None
    check = ReplyCheck.objects.get(outbound=result.outbound)
    assert (check.needs_approval, check.approval_skipped) == (True, True)
    assert "over_concession" in {f["category"] for f in check.findings}
    assert HeldReply.objects.count() == 0


def test_an_agents_own_higher_limit_lets_the_offer_through(
    case: Conversation, agent: User, supervisor: User, platform: respx.MockRouter
) -> None:
    set_concession_limit(agent, amount=Decimal("150"), actor=supervisor)

    result = send_or_hold_reply(case, text=OFFER, public=True, actor=agent)

    assert result.held is None
    assert concession_limit_for(agent) == Decimal("150.00")
    with pytest.raises(PermissionDenied):
        set_concession_limit(agent, amount=Decimal("1000"), actor=agent)
    assert concession_limit_for(agent) == Decimal("150.00")


def test_the_default_limit_comes_from_settings(agent: User, settings: object) -> None:
    settings.CARELINE_DEFAULT_CONCESSION_LIMIT = "40"  # type: ignore[attr-defined]

    assert concession_limit_for(agent) == Decimal("40")
    assert concession_limit_for(None) is None


def test_a_plain_reply_is_queued_at_once(
    case: Conversation, agent: User, platform: respx.MockRouter
) -> None:
    result = send_or_hold_reply(
        case,
        text="Hi Cust, sorry about the parcel. Could you e-mail us your order number? - Alice",
        public=True,
        actor=agent,
    )

    assert result.outbound is not None
    assert result.held is None
    check = ReplyCheck.objects.get(outbound=result.outbound)
    assert (check.needs_approval, check.approval_skipped) == (False, False)


def test_invalid_replies_are_refused_before_the_guard(case: Conversation, agent: User) -> None:
    with pytest.raises(CaseActionError, match="cannot be empty"):
        send_or_hold_reply(case, text="   ", public=True, actor=agent)

    assert HeldReply.objects.count() == 0


def test_the_context_tells_the_guard_the_case_facts(
    case: Conversation, agent: User, settings: object
) -> None:
    settings.CARELINE_SUPPORT_EMAIL = "help@shop.test"  # type: ignore[attr-defined]

    context = reply_context(case, public=True, actor=agent)

    assert (context.kind, context.platform, context.public, context.customer_name) == (
        "complaint",
        "generic",
        True,
        "Cust",
    )
    assert context.customer_text == "My parcel is late"
    assert context.concession_limit == Decimal("25")
    assert context.facts["brand_contacts"] == ["help@shop.test", "shop-webhook"]
