"""SLA in the web app: the inbox's urgency order and clock cells, the conversation panel, the
unanswered report and the policy editor, for each persona."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from careline.accounts.models import Team, User
from careline.cases import hooks
from careline.cases.models import Conversation
from careline.inbox.models import Channel
from careline.sla.models import BusinessHours, SlaPolicyRow

from .conftest import post, utc

pytestmark = pytest.mark.django_db

T = utc(2026, 11, 2, 9, 0)


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def three(generic_channel: Channel, team_a: Team, team_b: Team) -> dict[str, Conversation]:
    """Three complaints: old (team A, 09:00), urgent (no team, 09:10, urgent priority),
    answered (team B, 09:20, replied at 09:25)."""
    cases = {}
    for minutes, name, author in ((0, "old", "u1"), (10, "urgent", "u2"), (20, "answered", "u3")):
        at = T + timedelta(minutes=minutes)
        with time_machine.travel(at, tick=False):
            cases[name] = post(generic_channel, name, at, author=author, text=f"Case {name}")
    Conversation.objects.update(triage_kind="complaint")
    Conversation.objects.filter(pk=cases["old"].pk).update(team=team_a, triage_severity=70)
    Conversation.objects.filter(pk=cases["answered"].pk).update(team=team_b)
    Conversation.objects.filter(pk=cases["urgent"].pk).update(priority="urgent")
    hooks.priority_changed(cases["urgent"].pk, previous="normal", to="urgent", at=T)
    hooks.reply_queued(
        cases["answered"].pk, public=True, system=False, at=T + timedelta(minutes=25)
    )
    for case in cases.values():
        case.refresh_from_db()
    return cases


def test_the_inbox_lists_the_most_urgent_first_with_a_clock_per_row(
    client: Client, supervisor: User, three: dict[str, Conversation]
) -> None:
    with time_machine.travel(T + timedelta(minutes=30), tick=False):
        response = login(client, supervisor).get(reverse("inbox"))
    listed = [case.pk for case in response.context["page"]]
    # urgent: due 09:15 (overdue); old: due 10:00; answered: only resolution, due tomorrow.
    assert listed == [three["urgent"].pk, three["old"].pk, three["answered"].pk]
    clocks = re.findall(
        r'<time class="sla-clock sla-(\w+)" datetime="([^"]+)" data-sla-due="[^"]+" '
        r'data-sla-warn="[^"]+" title="[^"]*" data-testid="sla-clock">([^<]+)</time>',
        response.content.decode(),
    )
    assert clocks == [
        ("breached", "2026-11-02T09:15:00+00:00", "15 min overdue"),
        ("running", "2026-11-02T10:00:00+00:00", "in 30 min"),
        ("running", "2026-11-03T09:20:00+00:00", "in 23 h 50 min"),
    ]


def test_a_warning_shows_before_the_due_time(
    client: Client, supervisor: User, three: dict[str, Conversation]
) -> None:
    with time_machine.travel(T + timedelta(minutes=50), tick=False):
        html = login(client, supervisor).get(reverse("inbox"), {"status": "new"}).content
    assert b'class="sla-clock sla-warning" datetime="2026-11-02T10:00:00+00:00"' in html
    assert b">in 10 min</time>" in html


def test_the_recent_order_is_still_there(
    client: Client, supervisor: User, three: dict[str, Conversation]
) -> None:
    response = login(client, supervisor).get(reverse("inbox"), {"order": "recent"})
    assert [c.pk for c in response.context["page"]] == [
        three["answered"].pk,
        three["urgent"].pk,
        three["old"].pk,
    ]


def test_the_conversation_page_shows_each_clock_with_its_reason(
    client: Client, supervisor: User, three: dict[str, Conversation]
) -> None:
    case = three["answered"]
    with time_machine.travel(T + timedelta(minutes=30), tick=False):
        html = login(client, supervisor).get(reverse("conversation", args=[case.pk])).content
    page = html.decode()
    assert "Policy: Default normal" in page
    assert (
        "First response met: answered at 2026-11-02 09:25 UTC, 55 min of business time before "
        "the due time 2026-11-02 10:20 UTC"
    ) in page
    assert "Resolution due 2026-11-03 09:20 UTC: 23 h 50 min of business time left" in page
    assert 'data-sla-due="2026-11-03T09:20:00+00:00"' in page


def test_the_report_lists_unanswered_complaints_oldest_first_for_a_supervisor(
    client: Client, supervisor: User, three: dict[str, Conversation]
) -> None:
    with time_machine.travel(T + timedelta(hours=2), tick=False):
        response = login(client, supervisor).get(reverse("unanswered-report"))
    assert response.status_code == 200
    page = response.content.decode()
    rows = re.findall(r'<tr class="unanswered-row" id="case-(\d+)">(.*?)</tr>', page, re.S)
    assert [int(pk) for pk, _ in rows] == [three["old"].pk, three["urgent"].pk]
    cells = [
        re.sub(r"<[^>]+>|\s+", " ", c).split() for c in re.findall(r"<td.*?</td>", rows[0][1], re.S)
    ]
    assert cells[:7] == [
        [f"#{three['old'].pk}", "Case", "old"],
        ["2", "h"],
        ["shop-webhook"],
        ["70"],
        ["new"],
        ["—"],
        ["Team", "A"],
    ]
    # The nav counts them for supervisors.
    assert '<span class="nav-count" data-testid="unanswered-nav-count">2</span>' in page


def test_an_agent_sees_only_their_teams_unanswered_complaints(
    client: Client, agent: User, outsider: User, three: dict[str, Conversation]
) -> None:
    # Team A's case and the one with no team; not team B's (answered anyway).
    html = login(client, agent).get(reverse("unanswered-report")).content.decode()
    assert re.findall(r'id="case-(\d+)"', html) == [str(three["old"].pk), str(three["urgent"].pk)]
    assert "unanswered-nav-count" not in html  # the count is for supervisors
    html = login(client, outsider).get(reverse("unanswered-report")).content.decode()
    assert re.findall(r'id="case-(\d+)"', html) == [str(three["urgent"].pk)]


def test_a_decision_not_to_reply_or_closing_takes_a_complaint_off_the_report(
    client: Client, supervisor: User, three: dict[str, Conversation]
) -> None:
    Conversation.objects.filter(pk=three["old"].pk).update(no_reply_at=T, no_reply_reason="spam")
    Conversation.objects.filter(pk=three["urgent"].pk).update(status="closed")
    html = login(client, supervisor).get(reverse("unanswered-report")).content.decode()
    assert "0 unanswered complaints" in html
    assert "unanswered-nav-count" not in html


def test_the_report_filters_by_age(
    client: Client, supervisor: User, three: dict[str, Conversation]
) -> None:
    with time_machine.travel(T + timedelta(minutes=15), tick=False):
        html = login(client, supervisor).get(reverse("unanswered-report"), {"older_than": "10"})
    assert re.findall(r'id="case-(\d+)"', html.content.decode()) == [str(three["old"].pk)]


# -- the policy editor -----------------------------------------------------------------------


HOURS = {
    "name": "London office",
    "tz": "Europe/London",
    "monday": "09:00-17:00",
    "tuesday": "09:00-12:00, 13:00-17:00",
    "wednesday": "09:00-17:00",
    "thursday": "09:00-17:00",
    "friday": "09:00-17:00",
    "saturday": "",
    "sunday": "",
    "holidays": "2026-12-25\n2026-12-28\n",
}


def test_agents_may_not_see_or_change_the_policies(client: Client, agent: User) -> None:
    login(client, agent)
    assert client.get(reverse("sla-settings")).status_code == 403
    assert client.post(reverse("sla-hours-new"), HOURS).status_code == 403
    assert BusinessHours.objects.count() == 0


def test_a_supervisor_adds_business_hours_and_a_policy(
    client: Client, supervisor: User, generic_channel: Channel
) -> None:
    login(client, supervisor)
    assert client.get(reverse("sla-settings")).status_code == 200
    response = client.post(reverse("sla-hours-new"), HOURS)
    assert response.status_code == 302
    hours = BusinessHours.objects.get()
    assert hours.calendar == {
        "tz": "Europe/London",
        "always_open": False,
        "weekly": {
            "monday": [["09:00", "17:00"]],
            "tuesday": [["09:00", "12:00"], ["13:00", "17:00"]],
            "wednesday": [["09:00", "17:00"]],
            "thursday": [["09:00", "17:00"]],
            "friday": [["09:00", "17:00"]],
        },
        "holidays": ["2026-12-25", "2026-12-28"],
    }
    response = client.post(
        reverse("sla-policy-new"),
        {
            "name": "Webhook urgent",
            "priority": "urgent",
            "channel": "shop-webhook",
            "first_response_minutes": "10",
            "next_response_minutes": "20",
            "resolution_minutes": "240",
            "hours": str(hours.pk),
            "warn_before_percent": "25",
            "ordering": "5",
        },
    )
    assert response.status_code == 302
    policy = SlaPolicyRow.objects.get()
    assert (policy.channel, policy.hours, policy.warn_before_fraction, policy.updated_by) == (
        generic_channel,
        hours,
        0.25,
        supervisor,
    )
    page = client.get(reverse("sla-settings")).content.decode()
    assert "Webhook urgent" in page
    edit = client.get(reverse("sla-hours-edit", args=[hours.pk])).content.decode()
    assert 'value="09:00-12:00, 13:00-17:00"' in edit


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"tz": "Mars/Olympus"}, "tz", "unknown time zone 'Mars/Olympus'"),
        ({"monday": "9 to 5"}, "monday", "'9 to 5' is not a time span like 09:00-17:00"),
        ({"friday": "17:00-09:00"}, "friday", "interval 17:00-09:00 ends before it starts"),
        (
            {"tuesday": "09:00-13:00, 12:00-17:00"},
            "tuesday",
            "intervals 09:00-13:00 and 12:00-17:00 overlap",
        ),
        ({"holidays": "2026-12-25\nChristmas"}, "holidays", "'Christmas' is not a date"),
    ],
)
def test_invalid_hours_are_refused_with_the_field_named(
    client: Client, supervisor: User, change: dict[str, str], field: str, message: str
) -> None:
    response = login(client, supervisor).post(reverse("sla-hours-new"), {**HOURS, **change})
    assert response.status_code == 400
    errors = response.context["hours_form"].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert BusinessHours.objects.count() == 0


def test_hours_with_no_opening_at_all_are_refused(client: Client, supervisor: User) -> None:
    closed = {
        **HOURS,
        **{day: "" for day in ("monday", "tuesday", "wednesday", "thursday", "friday")},
    }
    response = login(client, supervisor).post(reverse("sla-hours-new"), closed)
    assert response.status_code == 400
    assert response.context["hours_form"].non_field_errors() == [
        "Opening hours: the calendar has no business hours on any weekday"
    ]


def test_an_invalid_policy_is_refused_with_the_field_named(
    client: Client, supervisor: User
) -> None:
    SlaPolicyRow.objects.create(
        name="Taken",
        priority="low",
        first_response_minutes=1,
        next_response_minutes=1,
        resolution_minutes=1,
    )
    response = login(client, supervisor).post(
        reverse("sla-policy-new"),
        {
            "name": "Taken",
            "priority": "normal",
            "first_response_minutes": "0",
            "next_response_minutes": "30",
            "resolution_minutes": "60",
            "warn_before_percent": "20",
            "ordering": "1",
        },
    )
    assert response.status_code == 400
    errors = response.context["policy_form"].errors
    assert errors == {
        "first_response_minutes": ["Ensure this value is greater than or equal to 1."]
    }
    response = client.post(
        reverse("sla-policy-new"),
        {
            "name": "Taken",
            "priority": "normal",
            "first_response_minutes": "5",
            "next_response_minutes": "30",
            "resolution_minutes": "60",
            "warn_before_percent": "20",
            "ordering": "1",
        },
    )
    assert response.context["policy_form"].errors == {
        "name": ["a policy named 'Taken' already exists"]
    }
    assert SlaPolicyRow.objects.count() == 1


def test_a_policy_change_retimes_open_cases(
    client: Client,
    supervisor: User,
    generic_channel: Channel,
    django_capture_on_commit_callbacks: object,
) -> None:
    with time_machine.travel(T, tick=False):
        case = post(generic_channel, "p1", T)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        login(client, supervisor).post(
            reverse("sla-policy-new"),
            {
                "name": "Fast normal",
                "priority": "normal",
                "first_response_minutes": "15",
                "next_response_minutes": "30",
                "resolution_minutes": "60",
                "warn_before_percent": "0",
                "ordering": "1",
            },
        )
    case.refresh_from_db()
    assert (case.sla_policy, case.sla_next_due_at, case.sla_next_warn_at) == (
        "Fast normal",
        utc(2026, 11, 2, 9, 15),
        utc(2026, 11, 2, 9, 15),  # no warnings: the warning time is the due time
    )


def test_a_supervisor_edits_and_removes_a_policy(client: Client, supervisor: User) -> None:
    policy = SlaPolicyRow.objects.create(
        name="Slow low",
        priority="low",
        first_response_minutes=240,
        next_response_minutes=480,
        resolution_minutes=2400,
    )
    login(client, supervisor)
    page = client.get(reverse("sla-policy-edit", args=[policy.pk])).content.decode()
    assert 'name="first_response_minutes" value="240"' in page
    response = client.post(
        reverse("sla-policy-edit", args=[policy.pk]),
        {
            "name": "Slow low",
            "priority": "low",
            "first_response_minutes": "120",
            "next_response_minutes": "480",
            "resolution_minutes": "2400",
            "warn_before_percent": "10",
            "ordering": "3",
        },
    )
    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.first_response_minutes, policy.warn_before_fraction, policy.ordering) == (
        120,
        0.1,
        3,
    )
    assert client.post(reverse("sla-policy-delete", args=[policy.pk])).status_code == 302
    assert SlaPolicyRow.objects.count() == 0


def test_agents_may_not_edit_or_remove_a_policy(client: Client, agent: User) -> None:
    policy = SlaPolicyRow.objects.create(
        name="Kept",
        priority="low",
        first_response_minutes=1,
        next_response_minutes=1,
        resolution_minutes=1,
    )
    login(client, agent)
    assert client.get(reverse("sla-policy-edit", args=[policy.pk])).status_code == 403
    assert client.post(reverse("sla-policy-delete", args=[policy.pk])).status_code == 403
    assert list(SlaPolicyRow.objects.values_list("name", "first_response_minutes")) == [("Kept", 1)]
