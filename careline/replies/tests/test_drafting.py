from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from careline.accounts.models import User
from careline.assessments.models import Order
from careline.cases.models import Conversation
from careline.inbox.models import Channel, Direction, Message, Platform, Visibility
from careline.ingestion.services import ingest_items
from careline.replies.drafting import (
    DraftError,
    case_link,
    case_variables,
    clean_first_name,
    draft_reply,
    draft_variants,
    within,
)
from careline.replies.playbook_defaults import builtin_for
from careline.replies.playbooks import save_playbook
from conftest import T0, item

pytestmark = pytest.mark.django_db

NOW = T0 + timedelta(minutes=5)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _case(
    channel: Channel,
    text: str,
    *,
    name: str = "jamie lee",
    kind: str = "complaint",
    topic: str = "delivery",
    public: bool = True,
) -> Conversation:
    ingest_items(channel, [item("p1", author="cust", text=text, public=public)])
    case = Conversation.objects.get()
    author = case.author
    assert author is not None
    author.name = name
    author.save()
    if author.customer is not None:
        author.customer.display_name = name
        author.customer.save()
    Conversation.objects.filter(pk=case.pk).update(
        triage_kind=kind, triage_topic=topic, sla_next_due_at=NOW + timedelta(minutes=28)
    )
    case.refresh_from_db()
    return case


def _delivery_variant(n: int) -> str:
    found = builtin_for("complaint", "delivery", "initial")
    assert found is not None
    return found[0].variants[n]


def test_a_public_first_reply_is_personalised_and_says_why(
    generic_channel: Channel, agent: User
) -> None:
    agent.first_name = "alice"
    agent.save()
    case = _case(generic_channel, "My parcel for order #10234 never arrived!")

    draft = draft_reply(case, purpose="initial", agent=agent, variant=0)

    assert draft.text == (
        "Hi Jamie, I'm sorry your order hasn't reached you yet. Let me check where it is: "
        "please e-mail us at support@example.com with your order number and we'll update you "
        "within 30 minutes. - Alice"
    )
    assert (draft.playbook, draft.purpose, draft.variant, draft.variant_count) == (
        "Delivery complaint: first response",
        "initial",
        0,
        3,
    )
    assert draft.reason == (
        "built-in 'Delivery complaint: first response' (written for complaint x delivery) for a "
        "complaint case about delivery; variant 1 of 3, as asked; no value for order: a general "
        "phrase; order details left out of a public reply"
    )
    assert "10234" not in draft.text


def test_a_private_reply_names_the_order_and_the_product(
    generic_channel: Channel, agent: User
) -> None:
    Order.objects.create(
        number="#10234",
        number_key="10234",
        number_digits="10234",
        line_items="1 x Trail Runner jacket (TR-1)\n2 x Socks",
        total=Decimal("120.00"),
    )
    case = _case(generic_channel, "My parcel for order #10234 never arrived!", public=False)

    first = draft_reply(case, purpose="initial", agent=agent, variant=0)
    second = draft_reply(case, purpose="initial", agent=agent, variant=1)

    assert first.public is False
    assert first.text.startswith("Hi Jamie, I'm sorry order #10234 hasn't reached you yet.")
    assert "please reply to this message with your order number" in first.text
    assert second.text.startswith("Jamie, sorry you're still waiting for your Trail Runner jacket.")
    assert first.variables["order"] == "order #10234"


def test_x_and_instagram_send_people_to_dms(db: None, agent: User) -> None:
    channel = Channel.objects.create(name="x-brand", platform=Platform.X, external_id="1")
    case = _case(channel, "Where is my parcel?")

    draft = draft_reply(case, purpose="initial", agent=agent, variant=1)

    assert draft.variables["contact_route"] == "send us a DM"
    assert "could you send us a DM?" in draft.text


def test_no_two_public_replies_read_the_same(generic_channel: Channel, agent: User) -> None:
    case = _case(generic_channel, "Parcel late again")
    drafts = draft_variants(case, purpose="initial", agent=agent, count=3)

    assert len({d.text for d in drafts}) == 3
    assert len({d.variant for d in drafts}) == 3

    # The team just posted the first choice on another case: the next draft avoids it.
    Message.objects.create(
        channel=generic_channel,
        conversation=case,
        direction=Direction.OUTBOUND,
        visibility=Visibility.PUBLIC,
        text=drafts[0].text,
        created_at=NOW - timedelta(days=2),
    )
    again = draft_reply(case, purpose="initial", agent=agent)

    assert again.variant != drafts[0].variant
    assert "least like the team's 1 recent public replies" in again.reason


def test_a_draft_identical_to_every_recent_reply_names_its_case(
    generic_channel: Channel, agent: User
) -> None:
    case = _case(generic_channel, "Parcel late again")
    for n, draft in enumerate(draft_variants(case, purpose="initial", agent=agent, count=9)):
        Message.objects.create(
            channel=generic_channel,
            conversation=case,
            direction=Direction.OUTBOUND,
            visibility=Visibility.PUBLIC,
            text=draft.text,
            created_at=NOW - timedelta(hours=n + 1),
        )

    again = draft_reply(case, purpose="initial", agent=agent)

    assert again.text.endswith(f" (ref. {case.pk})")
    assert "word for word like a recent public reply" in again.reason


def test_replies_older_than_30_days_are_not_avoided(generic_channel: Channel, agent: User) -> None:
    case = _case(generic_channel, "Parcel late again")
    first = draft_reply(case, purpose="initial", agent=agent)
    Message.objects.create(
        channel=generic_channel,
        conversation=case,
        direction=Direction.OUTBOUND,
        visibility=Visibility.PUBLIC,
        text=first.text,
        created_at=NOW - timedelta(days=31),
    )

    assert draft_reply(case, purpose="initial", agent=agent).variant == first.variant


def test_private_data_from_the_customer_is_never_echoed(
    generic_channel: Channel, agent: User
) -> None:
    text = (
        "Order #55512 late. Card 4111 1111 1111 1111, mail me at jo@example.org or call "
        "07700 900123, 12 High Street"
    )
    case = _case(generic_channel, text, public=False)

    for purpose in ("initial", "follow_up", "resolution_check", "escalation_notice"):
        for draft in draft_variants(case, purpose=purpose, agent=agent):
            for secret in ("4111", "jo@example.org", "07700", "High Street"):
                assert secret not in draft.text


def test_a_name_that_is_not_a_name_gets_the_fallback(generic_channel: Channel, agent: User) -> None:
    case = _case(generic_channel, "late", name="<script>alert(1)</script>")

    draft = draft_reply(case, purpose="initial", agent=agent, variant=0)

    assert draft.text.startswith("Hi there, I'm sorry your order hasn't reached you yet.")
    assert "customer_name" in draft.fallbacks
    assert [clean_first_name(n) for n in ("@jo_99", "jo@x.io", "Zoë Kay", "o'neil", "A", "")] == [
        "",
        "",
        "Zoë",
        "O'neil",
        "",
        "",
    ]


def test_spam_and_trolls_get_no_draft(generic_channel: Channel, agent: User) -> None:
    case = _case(generic_channel, "buy followers", kind="spam", topic="")

    with pytest.raises(DraftError, match="no playbook for spam: the response path"):
        draft_reply(case, purpose="initial", agent=agent)
    with pytest.raises(DraftError, match="unknown purpose 'sell'"):
        draft_reply(case, purpose="sell", agent=agent)


def test_a_supervisors_playbook_is_used_and_extra_values_fill_it(
    generic_channel: Channel, agent: User, supervisor: User
) -> None:
    save_playbook(
        actor=supervisor,
        kind="",
        topic="",
        purpose="satisfaction_ask",
        name="Survey",
        variants=["{customer_name}, how did we do? {survey_link}"],
    )
    case = _case(generic_channel, "late")

    draft = draft_reply(
        case, purpose="satisfaction_ask", extra={"survey_link": "https://c.test/s/x/"}
    )

    assert draft.text == "Jamie, how did we do? https://c.test/s/x/"
    assert draft.reason.startswith("playbook #")
    assert "'Survey' (written for any message)" in draft.reason


def test_expected_time_falls_back_to_the_priority_target(
    generic_channel: Channel, agent: User
) -> None:
    case = _case(generic_channel, "late")
    Conversation.objects.filter(pk=case.pk).update(sla_next_due_at=None, priority="urgent")
    case.refresh_from_db()

    draft = draft_reply(case, purpose="initial", agent=agent)

    assert draft.variables["expected_time"] == "within 15 minutes"
    assert [within(timedelta(minutes=m)) for m in (1, 7, 12, 50, 61, 24 * 60, 48 * 60)] == [
        "within 1 minute",
        "within 7 minutes",
        "within 15 minutes",
        "within the hour",
        "within 2 hours",
        "within 24 hours",
        "within 2 days",
    ]


def test_the_case_link_uses_the_base_url(generic_channel: Channel, settings: object) -> None:
    settings.CARELINE_BASE_URL = "https://care.example/"  # type: ignore[attr-defined]
    case = _case(generic_channel, "late")

    assert case_link(case) == f"https://care.example/c/{case.pk}/"
    assert case_variables(case, agent=None, public=True)["case_link"] == case_link(case)
