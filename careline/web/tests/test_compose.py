from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
import respx
from django.test import Client

from careline.accounts.models import User
from careline.cases.models import Conversation, EventKind
from careline.replies.approval import send_or_hold_reply
from careline.replies.models import HeldReply, HeldStatus, OutboundMessage, Playbook
from conftest import CALLBACK_URL

from .conftest import Cases, login

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
OFFER = "Hi Ua, sorry about the parcel. I can offer you a £100 credit. - Alice"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(autouse=True)
def platform() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        router.post(CALLBACK_URL).mock(return_value=httpx.Response(201, json={"id": "ext-1"}))
        yield router


@pytest.fixture
def case(cases: Cases) -> Conversation:
    Conversation.objects.filter(pk=cases.team_a.pk).update(
        triage_kind="complaint", triage_topic="delivery"
    )
    return Conversation.objects.get(pk=cases.team_a.pk)


# The composer ----------------------------------------------------------------------------


def test_the_conversation_page_has_the_composer_tools_without_inline_script(
    client: Client, agent: User, case: Conversation
) -> None:
    page = login(client, agent).get(f"/c/{case.pk}/").content.decode()

    assert f'hx-get="/c/{case.pk}/draft/"' in page
    assert f'hx-post="/c/{case.pk}/tone/"' in page
    assert (
        'hx-trigger="input changed delay:600ms from:closest .composer, careline-drafted '
        'from:body"' in page
    )
    assert '<option value="story_consent">Success-story consent ask</option>' in page
    assert "<script>" not in page.split("</head>", 1)[1]
    assert " onclick=" not in page


def test_a_draft_without_javascript_is_a_page_with_a_reply_form(
    client: Client, agent: User, case: Conversation
) -> None:
    response = login(client, agent).get(f"/c/{case.pk}/draft/?purpose=initial&variant=2")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Thanks for letting us know, Ua, and apologies for the wait." in page
    assert f'action="/c/{case.pk}/reply/"' in page
    assert 'data-testid="draft-reason"' in page
    assert "variant 3 of 3, as asked" in page


def test_a_draft_with_htmx_swaps_the_reply_box_and_triggers_the_tone_check(
    client: Client, agent: User, case: Conversation
) -> None:
    response = login(client, agent).get(
        f"/c/{case.pk}/draft/?purpose=follow_up&variant=0&visibility=private", headers=HX
    )

    body = response.content.decode()
    assert response["HX-Trigger-After-Settle"] == "careline-drafted"
    assert '<div id="draft-info"' in body
    textarea = re.search(r"<textarea[^>]*>", body)
    assert textarea is not None
    assert 'id="reply-text"' in textarea.group(0)
    assert 'hx-swap-oob="true"' in textarea.group(0)
    assert "Hi Ua, thanks for your patience with your delivery." in body
    assert "<html" not in body


def test_a_spam_case_explains_why_there_is_no_draft(
    client: Client, agent: User, case: Conversation
) -> None:
    Conversation.objects.filter(pk=case.pk).update(triage_kind="spam")

    response = login(client, agent).get(f"/c/{case.pk}/draft/?purpose=initial", headers=HX)

    body = response.content.decode()
    assert "No playbook for spam: the response path recommends not replying to it" in body
    assert "<textarea" not in body
    assert "HX-Trigger-After-Settle" not in response


def test_other_teams_cases_are_404_for_drafts_and_tone(
    client: Client, outsider: User, case: Conversation
) -> None:
    login(client, outsider)

    assert client.get(f"/c/{case.pk}/draft/").status_code == 404
    assert client.post(f"/c/{case.pk}/tone/", {"text": "hi"}).status_code == 404


def test_the_live_tone_check_shows_findings_with_the_span_marked_and_inert(
    client: Client, agent: User, case: Conversation
) -> None:
    text = f"{HOSTILE} This is your fault, you should have read the instructions."

    response = login(client, agent).post(
        f"/c/{case.pk}/tone/", {"text": text, "visibility": "public"}, headers=HX
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<script>" not in body
    assert "<img" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body
    assert '<span class="badge">blaming</span>' in body
    assert "<mark>your fault</mark>" in body
    assert "<html" not in body


def test_the_tone_check_warns_an_agent_before_an_offer_is_held(
    client: Client, agent: User, case: Conversation
) -> None:
    response = login(client, agent).post(f"/c/{case.pk}/tone/", {"text": OFFER}, headers=HX)

    body = response.content.decode()
    assert "Sending this holds it for a supervisor's approval:" in body
    assert "above your concession limit of £25.00" in body
    assert "Your concession limit: 25.00." not in body
    assert "Your concession limit: 25." in body


# Sending and approval -------------------------------------------------------------------


def test_an_agents_risky_reply_from_the_page_is_held(
    client: Client, agent: User, case: Conversation, platform: respx.MockRouter
) -> None:
    response = login(client, agent).post(
        f"/c/{case.pk}/reply/", {"text": OFFER, "visibility": "public"}, follow=True
    )

    page = response.content.decode()
    assert "Reply held for a supervisor&#x27;s approval: over concession" in page
    assert 'data-testid="held-replies"' in page
    assert "Approve and send" not in page  # agents cannot approve
    assert OutboundMessage.objects.count() == 0
    assert not platform.calls
    assert HeldReply.objects.get().status == HeldStatus.HELD


def test_the_approvals_page_is_for_supervisors(
    client: Client, agent: User, supervisor: User, case: Conversation
) -> None:
    held = send_or_hold_reply(case, text=OFFER, public=True, actor=agent).held
    assert held is not None

    assert login(client, agent).get("/approvals/").status_code == 403
    assert client.post(f"/c/{case.pk}/held/{held.pk}/approve/", {"reason": ""}).status_code == 403
    held.refresh_from_db()
    assert held.status == HeldStatus.HELD

    page = login(client, supervisor).get("/approvals/").content.decode()
    assert f'action="/c/{case.pk}/held/{held.pk}/approve/"' in page
    assert "above your concession limit" in page


def test_a_supervisor_approves_from_the_list_and_it_is_sent(
    client: Client,
    agent: User,
    supervisor: User,
    case: Conversation,
    platform: respx.MockRouter,
    django_capture_on_commit_callbacks,
) -> None:
    held = send_or_hold_reply(case, text=OFFER, public=True, actor=agent).held
    assert held is not None

    with django_capture_on_commit_callbacks(execute=True):
        response = login(client, supervisor).post(
            f"/c/{case.pk}/held/{held.pk}/approve/", {"reason": "fine", "back": "approvals"}
        )

    assert (response.status_code, response["Location"]) == (302, "/approvals/")
    held.refresh_from_db()
    assert held.status == HeldStatus.APPROVED
    assert held.outbound is not None
    assert held.outbound.status == "sent"
    assert platform.calls.call_count == 1


def test_a_supervisor_rejects_on_the_case_and_it_is_never_sent(
    client: Client, agent: User, supervisor: User, case: Conversation, platform: respx.MockRouter
) -> None:
    held = send_or_hold_reply(case, text=OFFER, public=True, actor=agent).held
    assert held is not None
    login(client, supervisor)

    refused = client.post(f"/c/{case.pk}/held/{held.pk}/reject/", {"reason": ""}, follow=True)
    assert "Say why the reply is rejected" in refused.content.decode()
    response = client.post(f"/c/{case.pk}/held/{held.pk}/reject/", {"reason": "too generous"})

    assert (response.status_code, response["Location"]) == (302, f"/c/{case.pk}/")
    held.refresh_from_db()
    assert (held.status, held.decision_reason) == (HeldStatus.REJECTED, "too generous")
    assert OutboundMessage.objects.count() == 0
    assert not platform.calls
    assert case.events.filter(kind=EventKind.REPLY_REJECTED).count() == 1


def test_a_held_reply_of_another_case_is_404(
    client: Client, agent: User, supervisor: User, case: Conversation, cases: Cases
) -> None:
    held = send_or_hold_reply(case, text=OFFER, public=True, actor=agent).held
    assert held is not None

    response = login(client, supervisor).post(
        f"/c/{cases.teamless.pk}/held/{held.pk}/approve/", {"reason": ""}
    )

    assert response.status_code == 404
    held.refresh_from_db()
    assert held.status == HeldStatus.HELD


# The playbook editor ----------------------------------------------------------------------


def test_agents_cannot_open_or_change_playbooks(client: Client, agent: User) -> None:
    login(client, agent)

    assert client.get("/settings/playbooks/").status_code == 403
    assert client.get("/settings/playbooks/new/").status_code == 403
    response = client.post(
        "/settings/playbooks/new/",
        {"purpose": "initial", "name": "x", "variants": "Hi {customer_name}", "active": "on"},
    )
    assert response.status_code == 403
    assert Playbook.objects.count() == 0
    assert client.get("/settings/concession-limits/").status_code == 403


def test_logged_out_people_are_sent_to_log_in(client: Client) -> None:
    response = client.get("/settings/playbooks/")

    assert (response.status_code, response["Location"]) == (
        302,
        "/login/?next=/settings/playbooks/",
    )


def test_the_list_shows_builtins_and_customising_prefills_the_form(
    client: Client, supervisor: User
) -> None:
    login(client, supervisor)
    page = client.get("/settings/playbooks/").content.decode()
    assert "Delivery complaint: first response" in page
    assert "?kind=complaint&amp;topic=delivery&amp;purpose=initial" in page

    form = client.get(
        "/settings/playbooks/new/?kind=complaint&topic=delivery&purpose=initial"
    ).content.decode()
    assert 'value="Delivery complaint: first response"' in form
    assert "Hi {customer_name}, I&#x27;m sorry {order} hasn&#x27;t reached you yet." in form
    assert "\n---\n" in form


def test_an_unknown_variable_is_shown_on_its_field(client: Client, supervisor: User) -> None:
    response = login(client, supervisor).post(
        "/settings/playbooks/new/",
        {
            "kind": "complaint",
            "topic": "",
            "purpose": "initial",
            "name": "Mine",
            "variants": "Hi {customer_name}\n---\nHello {first_name}",
            "active": "on",
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "variant 2: unknown variable {first_name}" in page
    assert Playbook.objects.count() == 0


def test_preview_and_save_record_who_and_render_hostile_text_inert(
    client: Client, supervisor: User
) -> None:
    login(client, supervisor)
    data = {
        "kind": "",
        "topic": "",
        "purpose": "follow_up",
        "name": f"Follow {HOSTILE}",
        "variants": f"Hi {{customer_name}} {HOSTILE}\n---\nHello {{customer_name}}, ok?",
        "active": "on",
    }

    preview = client.post("/settings/playbooks/new/", {**data, "preview": "1"})
    assert preview.status_code == 200
    previews = preview.content.decode()
    assert "Hi Jamie &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in previews
    assert "Hello Jamie, ok?" in previews
    assert "<script>alert" not in previews
    assert Playbook.objects.count() == 0

    saved = client.post("/settings/playbooks/new/", data)
    playbook = Playbook.objects.get()
    assert (saved.status_code, saved["Location"]) == (302, f"/settings/playbooks/{playbook.pk}/")
    assert playbook.variants == [f"Hi {{customer_name}} {HOSTILE}", "Hello {customer_name}, ok?"]
    assert list(playbook.revisions.values_list("actor__username", flat=True)) == ["sam"]
    page = client.get(f"/settings/playbooks/{playbook.pk}/").content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert 'data-testid="revisions"' in page


def test_supervisors_set_concession_limits(client: Client, supervisor: User, agent: User) -> None:
    login(client, supervisor)

    bad = client.post("/settings/concession-limits/", {"username": "nobody", "amount": "10"})
    good = client.post("/settings/concession-limits/", {"username": "alice", "amount": "80"})

    assert bad.status_code == 400
    assert "no such user" in bad.content.decode()
    assert good.status_code == 302
    page = client.get("/settings/concession-limits/").content.decode()
    assert "80.00" in page
