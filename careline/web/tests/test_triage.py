"""Triage in the web app: inbox filters and columns, reasons and redaction on the case page,
agents' corrections and the supervisors' topic taxonomy."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from careline.accounts.models import Team, User
from careline.assessments.models import Assessment, Correction, Topic
from careline.assessments.tests.conftest import ingest_and_assess
from careline.cases.models import CaseEvent, Conversation
from careline.connectors.base import InboundItem
from careline.inbox.models import Channel, Message
from careline.ingestion.services import ingest_items
from careline.replies.services import queue_reply
from careline.web.tests.conftest import login
from conftest import T0, item

pytestmark = pytest.mark.django_db

TEXTS = {
    "fraud": "I was charged twice, this is fraud, I will call my lawyer",
    "card": "My card 4111 1111 1111 1111 was charged twice",
    "thanks": "Thanks so much, the new lamp is lovely!",
    "spam": "Buy cheap followers now at http://spam.example click here giveaway",
    "late": "My parcel is late",
}


@pytest.fixture
def triaged(generic_channel: Channel, team_a: Team) -> dict[str, int]:
    """Five triaged cases of team A, one a minute in the order of TEXTS."""
    ingest_and_assess(
        generic_channel,
        [
            item(name, author=f"u-{name}", text=text, minutes=n)
            for n, (name, text) in enumerate(TEXTS.items(), start=1)
        ],
    )
    Conversation.objects.update(team=team_a)
    return {m.external_id: m.conversation_id for m in Message.objects.all()}  # type: ignore[misc]


def listed(client: Client, **params: str) -> list[int]:
    response = client.get(reverse("inbox"), params)
    assert response.status_code == 200
    return [case.pk for case in response.context["page"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["late", "spam", "thanks", "card", "fraud"]),
        ({"kind": "complaint"}, ["late", "card", "fraud"]),
        ({"kind": "spam"}, ["spam"]),
        ({"severity_min": "75"}, ["card", "fraud"]),
        ({"severity_min": "25"}, ["late", "card", "fraud"]),
        ({"sentiment": "positive"}, ["thanks"]),
        ({"sentiment": "negative"}, ["late", "fraud"]),
        ({"topic": "delivery"}, ["late"]),
        ({"topic": "payment_billing"}, ["card", "fraud"]),
        ({"private_data": "yes"}, ["card"]),
        ({"private_data": "no"}, ["late", "spam", "thanks", "fraud"]),
        ({"legitimacy": "suspicious"}, ["spam"]),
        ({"kind": "complaint", "private_data": "no", "severity_min": "50"}, ["fraud"]),
        ({"order": "severity"}, ["card", "fraud", "late", "spam", "thanks"]),
    ],
)
def test_each_triage_filter_narrows_the_inbox_and_severity_sorts_it(
    client: Client,
    agent: User,
    triaged: dict[str, int],
    params: dict[str, str],
    expected: list[str],
) -> None:
    # Newest first unless the test sorts (the default is most urgent first).
    ordered = {"order": "recent", **params}
    assert listed(login(client, agent), **ordered) == [triaged[name] for name in expected]


@pytest.mark.parametrize(
    "params",
    [{"kind": "rant"}, {"severity_min": "12"}, {"topic": "nope"}, {"private_data": "maybe"}],
)
def test_an_unknown_triage_filter_value_is_ignored(
    client: Client, agent: User, triaged: dict[str, int], params: dict[str, str]
) -> None:
    assert len(listed(login(client, agent), **params)) == 5


def test_rows_show_severity_kind_sentiment_topic_and_a_private_data_marker(
    client: Client, agent: User, triaged: dict[str, int]
) -> None:
    html = login(client, agent).get(reverse("inbox"), {"private_data": "yes"}).content.decode()

    row = re.search(r'<tr class="case-row is-new">(.*?)</tr>', html, re.S)
    assert row is not None
    cells = [
        re.sub(r"<[^>]+>|\s+", " ", cell).split()
        for cell in re.findall(r"<td.*?</td>", row[1], re.S)
    ]
    assert cells[3:8] == [
        ["100"],
        ["complaint"],
        ["PII", "My", "card", "[CARD]", "was", "charged", "twice"],
        ["neutral"],
        ["Billing", "/", "payment"],
    ]
    assert '<span class="sev sev-critical" data-testid="severity">100</span>' in row[1]
    # The subject is the start of the first message: redacted like it.
    assert "4111" not in html


def test_an_untriaged_case_shows_dashes(
    settings: Any, client: Client, agent: User, generic_channel: Channel
) -> None:
    settings.CARELINE_TRIAGE_ON_INGEST = False
    ingest_items(generic_channel, [item("p1")])

    html = login(client, agent).get(reverse("inbox")).content.decode()

    assert 'title="Not triaged yet">—</span>' in html
    assert 'data-testid="severity"' not in html


# --- the case page -------------------------------------------------------------------------


def page(client: Client, user: User, case_id: int) -> str:
    response = login(client, user).get(reverse("conversation", args=[case_id]))
    assert response.status_code == 200
    return str(response.content.decode())


def test_each_message_shows_its_triage_with_every_reason_behind_details(
    client: Client, agent: User, triaged: dict[str, int]
) -> None:
    html = page(client, agent, triaged["fraud"])

    found = Assessment.objects.get(message__external_id="fraud")
    assert '<div class="triage" data-testid="triage">' in html
    why = re.search(
        r'<details class="triage-why">\s*<summary>Why\?</summary>(.*?)</details>', html, re.S
    )
    assert why is not None
    items = [re.sub(r"\s+", " ", li) for li in re.findall(r"<li>(.*?)</li>", why[1], re.S)]
    assert items == [r.replace("'", "&#x27;") for r in found.reasons]
    assert "Severity 98" in html
    assert 'data-testid="case-triage"' in html


def test_a_message_with_private_data_shows_redacted_with_the_original_behind_details(
    client: Client, agent: User, triaged: dict[str, int]
) -> None:
    html = page(client, agent, triaged["card"])

    assert (
        '<div class="msg-text" data-testid="redacted">My card [CARD] was charged twice</div>'
        in html
    )
    original = re.search(r'<details class="msg-original">(.*?)</details>', html, re.S)
    assert original is not None
    assert "Show original (contains private data)" in original[1]
    assert "My card 4111 1111 1111 1111 was charged twice" in original[1]
    assert html.count("4111 1111 1111 1111") == 1


def test_hostile_markup_in_redacted_text_and_reasons_is_shown_as_text(
    client: Client, generic_channel: Channel, agent: User
) -> None:
    hostile = "<script>alert(1)</script> my card 4111 1111 1111 1111 <img src=x onerror=alert(1)>"
    ingest_and_assess(
        generic_channel,
        [
            InboundItem(
                external_id="evil",
                author_id="evil",
                author_handle="<b>evil</b>",
                author_name="<i>Evil</i>",
                text=hostile,
                created_at=T0,
                public=True,
            )
        ],
    )

    html = page(client, agent, Conversation.objects.get().pk)

    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert (
        '<div class="msg-text" data-testid="redacted">&lt;script&gt;alert(1)&lt;/script&gt; my '
        "card [CARD] &lt;img src=x onerror=alert(1)&gt;</div>" in html
    )
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/careline/vendor/htmx.min.js" defer>',
        '<script src="/static/careline/app.js" defer>',
        '<script src="/static/careline/assignment.js" defer>',
        '<script src="/static/careline/sla.js" defer>',
    ]


def test_only_customers_messages_get_a_correction_form(
    client: Client, agent: User, triaged: dict[str, int]
) -> None:
    case = Conversation.objects.get(pk=triaged["late"])
    queue_reply(case, text="On it", public=True, actor=agent)

    html = page(client, agent, case.pk)

    late = Message.objects.get(external_id="late")
    assert html.count('<details class="triage-correct">') == 1
    assert f'action="/c/{case.pk}/m/{late.pk}/correct/"' in html
    assert f'<select name="kind" id="correct-{late.pk}-kind">' in html
    assert '<option value="complaint" selected>Complaint</option>' in html


# --- corrections ---------------------------------------------------------------------------


def correction_state() -> tuple[object, ...]:
    return (
        list(Assessment.objects.order_by("pk").values_list("kind", "sentiment", "topic")),
        list(Conversation.objects.order_by("pk").values_list("triage_kind", "triage_topic")),
        Correction.objects.count(),
        CaseEvent.objects.count(),
    )


def correct(client: Client, case_id: int, message: str, **data: str) -> Any:
    message_pk = Message.objects.get(external_id=message).pk
    body = {"kind": "complaint", "sentiment": "negative", "topic": "delivery", **data}
    return client.post(reverse("conversation-correct", args=[case_id, message_pk]), body)


@pytest.mark.parametrize("persona", ["agent", "supervisor", "admin_user"])
def test_a_correction_is_recorded_applied_and_shown(
    client: Client, triaged: dict[str, int], request: pytest.FixtureRequest, persona: str
) -> None:
    user = request.getfixturevalue(persona)
    login(client, user)

    response = correct(client, triaged["late"], "late", kind="question", topic="customer_service")

    assert response.status_code == 302
    assert response["Location"] == reverse("conversation", args=[triaged["late"]])
    assert list(Correction.objects.values_list("field", "old_value", "new_value", "actor")) == [
        ("kind", "complaint", "question", user.pk),
        ("topic", "delivery", "customer_service", user.pk),
    ]
    case = Conversation.objects.get(pk=triaged["late"])
    assert (case.triage_kind, case.triage_topic) == ("question", "customer_service")
    html = client.get(response["Location"]).content.decode()
    assert "Triage corrected: kind complaint → question, topic delivery → customer_service." in html
    assert "kind corrected by" in html
    assert "Triage corrected</td>" in html


def test_an_htmx_correction_gets_the_updated_main_section(
    client: Client, agent: User, triaged: dict[str, int]
) -> None:
    login(client, agent)
    message_pk = Message.objects.get(external_id="late").pk

    response = client.post(
        reverse("conversation-correct", args=[triaged["late"], message_pk]),
        {"kind": "feedback", "sentiment": "negative", "topic": "delivery"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="case" class="case">')
    assert Assessment.objects.get(message_id=message_pk).kind == "feedback"


def test_a_correction_that_changes_nothing_is_refused_and_says_why(
    client: Client, agent: User, triaged: dict[str, int]
) -> None:
    login(client, agent)
    before = correction_state()

    response = correct(client, triaged["late"], "late")

    assert response.status_code == 400
    assert "Nothing to correct: the values are the ones already shown." in response.content.decode()
    assert correction_state() == before


def test_an_unknown_value_is_refused_by_the_form(
    client: Client, agent: User, triaged: dict[str, int]
) -> None:
    login(client, agent)
    before = correction_state()

    response = correct(client, triaged["late"], "late", kind="rant")

    assert response.status_code == 400
    assert "Select a valid choice. rant is not one of the available choices." in (
        response.content.decode()
    )
    assert correction_state() == before


def test_an_agent_of_another_team_cannot_correct_and_nothing_changes(
    client: Client, outsider: User, triaged: dict[str, int]
) -> None:
    login(client, outsider)
    before = correction_state()

    response = correct(client, triaged["late"], "late", kind="question")

    assert response.status_code == 404
    assert correction_state() == before


def test_a_message_of_another_case_is_not_found(
    client: Client, agent: User, triaged: dict[str, int]
) -> None:
    login(client, agent)
    before = correction_state()

    response = correct(client, triaged["late"], "fraud", kind="question")

    assert response.status_code == 404
    assert correction_state() == before


def test_anonymous_visitors_cannot_correct(client: Client, triaged: dict[str, int]) -> None:
    before = correction_state()

    response = correct(client, triaged["late"], "late", kind="question")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert correction_state() == before


def test_corrections_take_only_a_post(client: Client, agent: User, triaged: dict[str, int]) -> None:
    message_pk = Message.objects.get(external_id="late").pk

    response = login(client, agent).get(
        reverse("conversation-correct", args=[triaged["late"], message_pk])
    )

    assert response.status_code == 405


# --- the topic taxonomy --------------------------------------------------------------------


def topics_state() -> list[tuple[object, ...]]:
    return list(
        Topic.objects.order_by("slug").values_list("slug", "name", "keywords", "active", "ordering")
    )


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("agent", 403), ("outsider", 403), ("supervisor", 200), ("admin_user", 200)],
)
def test_only_supervisors_and_admins_open_the_topics_page(
    client: Client, request: pytest.FixtureRequest, persona: str, expected: int
) -> None:
    response = login(client, request.getfixturevalue(persona)).get(reverse("topics"))

    assert response.status_code == expected


def test_the_topics_page_lists_the_taxonomy_with_a_form_per_topic(
    client: Client, supervisor: User
) -> None:
    html = login(client, supervisor).get(reverse("topics")).content.decode()

    slugs = re.findall(r'<strong class="mono">([a-z_]+)</strong>', html)
    assert slugs == [
        "delivery",
        "refund_return",
        "payment_billing",
        "product_quality",
        "account_login",
        "customer_service",
        "website_app",
        "pricing",
        "other",
    ]
    assert html.count('class="topic-form"') == 10
    assert '<a href="/settings/topics/" aria-current="page">Topics</a>' in html


def test_agents_see_no_topics_link(client: Client, agent: User) -> None:
    html = login(client, agent).get(reverse("inbox")).content.decode()

    assert "/settings/topics/" not in html


@pytest.mark.parametrize("persona", ["agent", "outsider"])
def test_an_agent_cannot_add_or_edit_topics_and_nothing_changes(
    client: Client, request: pytest.FixtureRequest, persona: str
) -> None:
    login(client, request.getfixturevalue(persona))
    before = topics_state()
    pricing = Topic.objects.get(slug="pricing")

    added = client.post(
        reverse("topics"), {"slug": "gifts", "name": "Gifts", "keywords": "gift", "ordering": 5}
    )
    edited = client.post(
        reverse("topic-edit", args=[pricing.pk]),
        {"name": "Prices", "keywords": "", "ordering": 1},
    )

    assert (added.status_code, edited.status_code) == (403, 403)
    assert topics_state() == before


def test_anonymous_visitors_are_sent_to_log_in_from_the_topics_page(client: Client) -> None:
    before = topics_state()

    response = client.post(reverse("topics"), {"slug": "x", "name": "X", "ordering": 1})

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/settings/topics/"
    assert topics_state() == before


def test_a_supervisor_adds_a_topic(client: Client, supervisor: User) -> None:
    response = login(client, supervisor).post(
        reverse("topics"),
        {
            "slug": "gift_cards",
            "name": "Gift cards",
            "keywords": "Gift card\ngift voucher",
            "ordering": 85,
            "active": "on",
        },
    )

    assert response.status_code == 302
    assert Topic.objects.filter(slug="gift_cards").values_list(
        "name", "keywords", "ordering", "active"
    ).get() == ("Gift cards", "gift card\ngift voucher", 85, True)


def test_a_taken_slug_is_refused_with_the_reason(client: Client, supervisor: User) -> None:
    before = topics_state()

    response = login(client, supervisor).post(
        reverse("topics"), {"slug": "pricing", "name": "Again", "ordering": 1, "active": "on"}
    )

    assert response.status_code == 400
    assert "there is already a topic &#x27;pricing&#x27;" in response.content.decode()
    assert topics_state() == before


def test_a_supervisor_edits_and_deactivates_a_topic(client: Client, supervisor: User) -> None:
    pricing = Topic.objects.get(slug="pricing")

    response = login(client, supervisor).post(
        reverse("topic-edit", args=[pricing.pk]),
        {"name": "Prices", "keywords": "price\nexpensive", "ordering": 3},
    )

    assert response.status_code == 302
    pricing.refresh_from_db()
    assert (pricing.name, pricing.keywords, pricing.ordering, pricing.active) == (
        "Prices",
        "price\nexpensive",
        3,
        False,
    )


def test_the_fallback_topic_cannot_be_switched_off(client: Client, supervisor: User) -> None:
    other = Topic.objects.get(slug="other")
    before = topics_state()

    response = login(client, supervisor).post(
        reverse("topic-edit", args=[other.pk]), {"name": "Other", "keywords": "", "ordering": 80}
    )

    assert response.status_code == 400
    assert "is where unmatched messages go; it stays active" in response.content.decode()
    assert topics_state() == before


def test_the_topics_page_has_no_inline_scripts_or_styles(client: Client, admin_user: User) -> None:
    html = login(client, admin_user).get(reverse("topics")).content.decode()

    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html) == []
    assert re.findall(r"\sstyle=", html) == []
    assert re.findall(r"\s(?:on[a-z]+|hx-on[:\w-]*)=", html) == []
