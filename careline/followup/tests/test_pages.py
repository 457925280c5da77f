"""Who may do what on the follow-up pages and endpoints; the panel; the CSAT figures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from careline.accounts.models import User
from careline.accounts.services import issue_api_token
from careline.cases.models import Conversation, EventKind
from careline.followup.models import StoryStatus, SuccessStory, Survey, SurveyDelivery
from careline.followup.selectors import csat_report
from careline.followup.services import draft_success_story, record_story_consent
from careline.followup.tests.conftest import NOW, Story

pytestmark = pytest.mark.django_db


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def snapshot(case: Conversation) -> tuple[Any, ...]:
    case.refresh_from_db()
    return (
        case.status,
        case.resolution_proposed_at,
        case.messages.count(),
        case.events.count(),
        SuccessStory.objects.count(),
    )


# --- case actions ---------------------------------------------------------------------------


def test_an_agent_proposes_a_resolution_from_the_case_page(
    answered: Story, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    login(client, answered.agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/c/{answered.case.pk}/followup/resolution-check/")

    assert response.status_code == 302
    assert response["Location"] == f"/c/{answered.case.pk}/"
    case = answered.refresh()
    assert (case.status, case.resolution_proposed_at) == ("pending", NOW)


def test_an_agent_of_another_team_gets_404_and_nothing_changes(
    answered: Story, client: Client, outsider: User
) -> None:
    before = snapshot(answered.case)
    login(client, outsider)

    paths = ["resolution-check", "consent", "story"]
    codes = [client.post(f"/c/{answered.case.pk}/followup/{p}/").status_code for p in paths]

    assert codes == [404, 404, 404]
    assert snapshot(answered.case) == before


def test_the_case_actions_need_a_login(answered: Story, client: Client) -> None:
    before = snapshot(answered.case)

    response = client.post(f"/c/{answered.case.pk}/followup/resolution-check/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert snapshot(answered.case) == before


def test_the_panel_shows_the_follow_up_state(
    resolved: Story, token: str, client: Client, supervisor: User
) -> None:
    login(client, supervisor)
    html = client.get(f"/c/{resolved.case.pk}/").content.decode()

    panel = html.split('data-testid="followup-panel"')[1].split("</section>")[0]
    assert "sent Nov 2 (private message), no answer yet" in panel
    assert "not proposed" in panel
    # A resolved case proposes nothing more.
    assert "Propose resolution" not in panel


def test_the_panel_offers_the_consent_buttons_and_then_the_draft(
    resolved: Story,
    token: str,
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from careline.followup.tests.conftest import post_answer

    with django_capture_on_commit_callbacks(execute=True):
        post_answer(Client(), token, score="5", comment="lovely")
    login(client, resolved.agent)
    html = client.get(f"/c/{resolved.case.pk}/").content.decode()
    assert "They agreed" in html

    message = resolved.case.messages.get(external_id="p1")
    response = client.post(
        f"/c/{resolved.case.pk}/followup/consent/",
        {"message": message.pk, "answer": "yes", "how": "said yes in DM"},
    )
    assert response.status_code == 302
    assert "Draft success story" in client.get(f"/c/{resolved.case.pk}/").content.decode()
    client.post(f"/c/{resolved.case.pk}/followup/story/")
    assert SuccessStory.objects.get().status == StoryStatus.DRAFT


# --- stories page ---------------------------------------------------------------------------


@pytest.fixture
def draft(resolved: Story, agent: User) -> SuccessStory:
    message = resolved.case.messages.get(external_id="p1")
    record_story_consent(resolved.case, actor=agent, message=message, granted=True)
    return draft_success_story(resolved.case, actor=agent)


def test_stories_need_a_login(client: Client, draft: SuccessStory) -> None:
    response = client.get("/stories/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/stories/")


def test_an_agent_sees_drafts_but_cannot_approve(
    client: Client, draft: SuccessStory, agent: User
) -> None:
    login(client, agent)
    page = client.get("/stories/")
    refused = client.post(f"/stories/{draft.pk}/approve/")

    assert page.status_code == 200
    assert 'data-testid="story-draft"' in page.content.decode()
    assert f"/stories/{draft.pk}/approve/" not in page.content.decode()
    assert refused.status_code == 403
    assert SuccessStory.objects.get().status == StoryStatus.DRAFT


def test_an_agent_of_another_team_does_not_see_the_story(
    client: Client, draft: SuccessStory, outsider: User
) -> None:
    login(client, outsider)  # the story's case is team A's

    page = client.get("/stories/").content.decode()

    assert 'data-testid="story-draft"' not in page
    assert client.post(f"/stories/{draft.pk}/approve/").status_code == 404


def test_a_supervisor_approves_and_the_story_is_copy_ready(
    client: Client, draft: SuccessStory, supervisor: User
) -> None:
    login(client, supervisor)
    response = client.post(f"/stories/{draft.pk}/approve/")
    page = client.get("/stories/").content.decode()

    assert (response.status_code, response["Location"]) == (302, "/stories/")
    story = SuccessStory.objects.get()
    assert (story.status, story.approved_by) == (StoryStatus.APPROVED, supervisor)
    copy = page.split('data-testid="story-copy">')[1].split("</div>")[0]
    assert copy.startswith("A customer, J., got in touch with us on Generic webhook")


def test_an_unknown_story_action_is_404(
    client: Client, draft: SuccessStory, supervisor: User
) -> None:
    login(client, supervisor)
    assert client.post(f"/stories/{draft.pk}/burn/").status_code == 404
    assert SuccessStory.objects.get().status == StoryStatus.DRAFT


# --- CSAT -----------------------------------------------------------------------------------


@pytest.fixture
def surveys(answered: Story) -> None:
    """Six surveys on one case: 5, 4 and 1 answered, one open, one never delivered, one too old
    to count."""
    rows = [
        (timedelta(days=1), SurveyDelivery.PRIVATE, 5),
        (timedelta(days=2), SurveyDelivery.PUBLIC, 4),
        (timedelta(days=3), SurveyDelivery.PRIVATE, 1),
        (timedelta(days=4), SurveyDelivery.PRIVATE, None),
        (timedelta(days=5), SurveyDelivery.NOT_SENT, None),
        (timedelta(days=31), SurveyDelivery.PRIVATE, 5),
    ]
    for n, (ago, delivery, score) in enumerate(rows):
        Survey.objects.create(
            conversation=answered.case,
            resolved_at=NOW - ago,
            nonce=f"nonce-{n:02d}-abcdefghijklmnop",
            sent_at=NOW - ago,
            expires_at=NOW - ago + timedelta(days=14),
            delivery=delivery,
            channel=answered.case.channel,
            used_at=NOW - ago + timedelta(hours=1) if score else None,
            score=score,
        )


def test_the_csat_report_counts_the_last_30_days(surveys: None) -> None:
    report = csat_report(days=30)

    assert (report.sent, report.answered, report.average) == (4, 3, 3.33)
    assert report.distribution == {1: 1, 2: 0, 3: 0, 4: 1, 5: 1}
    assert report.response_rate == 0.75
    assert report.satisfied_share == 2 / 3


def test_the_csat_page_is_for_supervisors(
    client: Client, surveys: None, agent: User, supervisor: User
) -> None:
    assert login(client, agent).get("/reports/csat/").status_code == 403

    page = login(client, supervisor).get("/reports/csat/")

    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="csat-sent">4<' in html
    assert 'data-testid="csat-answered">3<' in html
    assert 'data-testid="csat-rate">75%<' in html
    assert 'data-testid="csat-average">3.33<' in html
    assert 'data-testid="csat-satisfied">67%<' in html
    assert '<span data-score="1">1</span>' in html
    assert '<span data-score="2">0</span>' in html


def test_the_csat_endpoint(client: Client, surveys: None, agent: User, supervisor: User) -> None:
    def get(user: User, query: str = "") -> Any:
        headers = {"Authorization": f"Bearer {issue_api_token(user)}"}
        return client.get(f"/api/v1/followup/csat{query}", headers=headers)

    assert get(agent).status_code == 403
    assert get(supervisor, "?days=0").status_code == 400
    body = get(supervisor).json()

    assert body == {
        "since": "2026-10-03T10:00:00Z",
        "until": "2026-11-02T10:00:00Z",
        "sent": 4,
        "answered": 3,
        "response_rate": 0.75,
        "average": 3.33,
        "satisfied_share": 2 / 3,
        "distribution": {"1": 1, "2": 0, "3": 0, "4": 1, "5": 1},
    }
    assert get(supervisor, "?days=40").json()["sent"] == 5


def test_the_follow_up_endpoints_follow_the_case_rules(
    client: Client,
    answered: Story,
    outsider: User,
    run: Callable[..., Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    def call(method: str, user: User, path: str) -> Any:
        headers = {"Authorization": f"Bearer {issue_api_token(user)}"}
        return getattr(client, method)(f"/api/v1/followup/conversations/{path}", headers=headers)

    pk = answered.case.pk
    assert call("get", outsider, f"{pk}").status_code == 404
    assert call("post", outsider, f"{pk}/resolution-check").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        proposed = call("post", answered.agent, f"{pk}/resolution-check")

    assert proposed.status_code == 200
    assert proposed.json()["resolution_proposed_at"] == "2026-11-02T10:00:00Z"
    assert proposed.json()["survey"] is None
    assert answered.case.events.filter(kind=EventKind.RESOLUTION_CHECK).count() == 1
    again = call("post", answered.agent, f"{pk}/resolution-check")
    assert again.status_code == 200  # pending is still open: asking again is allowed


def test_the_panel_is_in_the_htmx_fragment_too(
    resolved: Story, token: str, client: Client, supervisor: User
) -> None:
    login(client, supervisor)

    fragment = client.get(f"/c/{resolved.case.pk}/", headers={"HX-Request": "true"})

    html = fragment.content.decode()
    assert not html.lstrip().startswith("<!doctype")
    assert 'data-testid="followup-panel"' in html
    assert 'data-testid="followup-survey">sent Nov 2 (private message), no answer yet' in html


def test_the_admin_shows_surveys_without_their_nonce(
    resolved: Story, token: str, client: Client, admin_user: User
) -> None:
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    login(client, admin_user)
    survey = Survey.objects.get()

    page = client.get(f"/admin/followup/survey/{survey.pk}/change/")

    assert page.status_code == 200
    assert survey.nonce not in page.content.decode()
