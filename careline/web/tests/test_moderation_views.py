"""The response-path panel, the moderation buttons and the reply mix, per persona."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from careline.accounts.models import Team, User
from careline.assessments.models import Assessment
from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.inbox.models import Channel, Message
from careline.ingestion.services import ingest_items
from careline.replies.models import OutboundMessage
from careline.replies.services import queue_reply
from conftest import T0, item

from .conftest import Cases, login

pytestmark = pytest.mark.django_db

NOW = T0 + timedelta(hours=2)
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)"> my parcel is late'


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def as_complaint(case: Conversation, **extra: object) -> Message:
    message = case.messages.get()
    fields = {"kind": "complaint", "legitimacy": "legitimate", "offensive_score": 0.1, **extra}
    Assessment.objects.filter(message=message).update(**fields)
    Conversation.objects.filter(pk=case.pk).update(triage_kind="complaint")
    return message


def page(client: Client, case: Conversation) -> str:
    response = client.get(f"/c/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_conversation_shows_each_items_path_and_reason(
    client: Client, cases: Cases, agent: User
) -> None:
    as_complaint(cases.team_a)

    html = page(login(client, agent), cases.team_a)

    assert 'data-testid="path-panel"' in html
    assert "Public acknowledgment + private resolution" in html
    assert (
        "public complaint with details to sort out: a short public acknowledgment shows we "
        "answer, the details stay private"
    ) in html
    assert "Never hidden: legitimate criticism is never hidden" in html


def test_hiding_legitimate_criticism_is_refused_with_the_reason(
    client: Client, cases: Cases, agent: User
) -> None:
    message = as_complaint(cases.team_a)
    login(client, agent)

    response = client.post(
        f"/c/{cases.team_a.pk}/m/{message.pk}/hide/", {"reason": "bad look"}, follow=True
    )

    html = response.content.decode()
    assert "Refused: legitimate criticism is never hidden: this complaint is legitimate" in html
    assert OutboundMessage.objects.count() == 0
    assert list(
        CaseEvent.objects.filter(kind=EventKind.MODERATION_REFUSED).values_list("actor", flat=True)
    ) == [agent.pk]


def test_an_agent_flags_a_suspicious_item_with_its_evidence(
    client: Client, cases: Cases, agent: User
) -> None:
    message = as_complaint(
        cases.team_a,
        legitimacy="suspicious",
        evidence=[{"rule": "gibberish", "weight": 0.6, "reason": "mostly unknown words"}],
    )
    login(client, agent)

    response = client.post(f"/c/{cases.team_a.pk}/m/{message.pk}/flag/", {}, follow=True)

    assert "Flagged for removal, with the evidence on the record." in response.content.decode()
    event = CaseEvent.objects.get(kind=EventKind.MODERATION_REQUESTED)
    assert event.reason == "flagged for removal: not legitimate: mostly unknown words"
    assert 'data-testid="flagged"' in page(client, cases.team_a)


def test_an_agent_records_a_decision_not_to_reply(
    client: Client, cases: Cases, agent: User
) -> None:
    login(client, agent)

    response = client.post(
        f"/c/{cases.team_a.pk}/no-reply/",
        {"reason": "handled_elsewhere", "note": "called them"},
        follow=True,
    )

    assert "Decision not to reply recorded: Handled elsewhere: called them." in (
        response.content.decode()
    )
    case = Conversation.objects.get(pk=cases.team_a.pk)
    assert (case.no_reply_reason, case.no_reply_at, case.no_reply_by) == (
        "Handled elsewhere: called them",
        NOW,
        agent,
    )
    assert "Decided not to reply: Handled elsewhere: called them" in page(client, cases.team_a)


def test_a_decision_on_an_answered_case_is_refused(
    client: Client, cases: Cases, agent: User
) -> None:
    queue_reply(cases.team_a, text="On it!", public=True, actor=agent)
    login(client, agent)

    response = client.post(
        f"/c/{cases.team_a.pk}/no-reply/", {"reason": "not_addressed"}, follow=True
    )

    assert "Refused: the case was answered already" in response.content.decode()
    assert Conversation.objects.get(pk=cases.team_a.pk).no_reply_at is None


def test_an_outsider_gets_404_and_nothing_changes(
    client: Client, cases: Cases, outsider: User
) -> None:
    message = as_complaint(cases.team_a)
    login(client, outsider)
    before = CaseEvent.objects.count()

    for url, data in [
        (f"/c/{cases.team_a.pk}/m/{message.pk}/hide/", {"reason": "x"}),
        (f"/c/{cases.team_a.pk}/m/{message.pk}/flag/", {}),
        (f"/c/{cases.team_a.pk}/m/{message.pk}/duty-of-care/", {}),
        (f"/c/{cases.team_a.pk}/m/{message.pk}/remove/", {}),
        (f"/c/{cases.team_a.pk}/no-reply/", {"reason": "spam"}),
    ]:
        assert client.post(url, data).status_code == 404

    assert CaseEvent.objects.count() == before
    assert Conversation.objects.get(pk=cases.team_a.pk).no_reply_at is None


def test_a_message_of_another_case_is_404(client: Client, cases: Cases, agent: User) -> None:
    other = cases.teamless.messages.get()
    login(client, agent)

    response = client.post(f"/c/{cases.team_a.pk}/m/{other.pk}/hide/", {"reason": "x"})

    assert response.status_code == 404


def test_moderation_actions_need_a_post(client: Client, cases: Cases, agent: User) -> None:
    message = cases.team_a.messages.get()
    login(client, agent)

    assert client.get(f"/c/{cases.team_a.pk}/m/{message.pk}/hide/").status_code == 405


def test_hostile_text_is_inert_in_the_panel(
    client: Client, generic_channel: Channel, agent: User
) -> None:
    ingest_items(generic_channel, [item("h1", author="evil", text=HOSTILE)])
    case = Conversation.objects.get(messages__external_id="h1")

    html = page(login(client, agent), case)

    panel = html[html.index('data-testid="path-panel"') :]
    assert "<script>alert(1)" not in panel
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in panel
    assert 'onerror="alert(2)"' not in html


def test_the_reply_mix_is_for_supervisors(
    client: Client, cases: Cases, agent: User, supervisor: User
) -> None:
    assert login(client, agent).get("/reports/reply-mix/").status_code == 403

    response = login(client, supervisor).get("/reports/reply-mix/?days=30")

    assert response.status_code == 200
    assert "Last 30 days" in response.content.decode()


def test_the_reply_mix_counts_public_private_both_and_decided(
    client: Client, generic_channel: Channel, agent: User, supervisor: User
) -> None:
    ingest_items(
        generic_channel,
        [
            item("c1", author="a", text="Parcel broken"),
            item("c2", author="b", text="Parcel late"),
            item("c3", author="c", text="Parcel lost"),
            item("k1", author="d", text="Thanks, lovely team"),
            item("q1", author="e", text="Do you ship to Spain?"),
        ],
    )
    by_post = {m.external_id: m.conversation for m in Message.objects.all()}
    for post, kind in [
        ("c1", "complaint"),
        ("c2", "complaint"),
        ("c3", "complaint"),
        ("k1", "compliment"),
        ("q1", "question"),
    ]:
        Conversation.objects.filter(pk=by_post[post].pk).update(triage_kind=kind)
    queue_reply(by_post["c1"], text="Sorry! DM us", public=True, actor=agent)
    queue_reply(by_post["c1"], text="Here are the details", public=False, actor=agent)
    queue_reply(by_post["c2"], text="Sorry about that", public=True, actor=agent)
    queue_reply(by_post["k1"], text="Thank you!", public=True, actor=agent)
    Conversation.objects.filter(pk=by_post["q1"].pk).update(no_reply_at=NOW)
    # careline's own message is not an answer
    queue_reply(by_post["c3"], text="We are on it", public=True, actor=None)

    html = login(client, supervisor).get("/reports/reply-mix/?days=7").content.decode()

    complaints = html[html.index('data-kind="complaint"') :].split("</tr>")[0]
    assert [c.split("<")[0].strip() for c in complaints.split("<td>")[1:]] == [
        "3",
        "1",
        "0",
        "1",
        "0",
        "1",
    ]
    assert "(33%)" in complaints
    public = html[html.index('data-testid="public-mix"') :]
    assert '<th scope="row">Complaints</th><td>2</td><td>67%</td>' in public
    assert '<th scope="row">Compliments</th><td>1</td><td>33%</td>' in public


def test_the_panels_forms_carry_a_working_csrf_token(cases: Cases, agent: User) -> None:
    client = Client(enforce_csrf_checks=True)
    html = page(login(client, agent), cases.team_a)
    form = html[html.index(f'action="/c/{cases.team_a.pk}/no-reply/"') :]
    token = form.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]

    response = client.post(
        f"/c/{cases.team_a.pk}/no-reply/",
        {"reason": "not_addressed", "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert Conversation.objects.get(pk=cases.team_a.pk).no_reply_reason == "Not addressed to us"


def test_anonymous_posts_go_to_login_and_change_nothing(client: Client, cases: Cases) -> None:
    response = client.post(f"/c/{cases.team_a.pk}/no-reply/", {"reason": "spam"})

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert Conversation.objects.get(pk=cases.team_a.pk).no_reply_at is None
    assert client.get("/reports/reply-mix/").status_code == 302


def test_only_a_supervisor_sees_the_remove_button_of_a_flagged_item(
    client: Client, cases: Cases, agent: User, supervisor: User
) -> None:
    message = as_complaint(cases.team_a, legitimacy="suspicious", evidence=[])
    login(client, agent).post(f"/c/{cases.team_a.pk}/m/{message.pk}/flag/", {})

    assert 'data-testid="remove"' not in page(client, cases.team_a)
    assert 'data-testid="remove"' in page(login(client, supervisor), cases.team_a)


def test_the_duty_of_care_button_hides_and_explains_where_the_platform_can(
    client: Client, agent: User, team_a: Team
) -> None:
    facebook = Channel.objects.create(
        name="shop-facebook",
        platform="facebook",
        external_id="104738291234567",
        credentials={"page_id": "104738291234567", "page_access_token": "t", "app_secret": "s"},
    )
    ingest_items(facebook, [item("c1", text="My card 4111 1111 1111 1111 was charged twice")])
    case = Conversation.objects.get(messages__external_id="c1")
    Conversation.objects.filter(pk=case.pk).update(team=team_a)
    message = case.messages.get()
    login(client, agent)
    assert "Hide: exposes private data in public (card)" in page(client, case)

    response = client.post(f"/c/{case.pk}/m/{message.pk}/duty-of-care/", follow=True)

    html = response.content.decode()
    assert "Hide requested: exposes private data in public (card)." in html
    assert "A private message tells the person why and continues the case." in html
    assert list(OutboundMessage.objects.values_list("action", flat=True).order_by("id")) == [
        "hide",
        "send",
    ]
    assert "Hide requested; waiting for the platform." in html
