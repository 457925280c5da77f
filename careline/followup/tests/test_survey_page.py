"""The public survey page: no login, CSRF-protected, strict CSP, and a link that cannot be
forged, altered, reused or used after it expired."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from careline.cases.models import EventKind
from careline.followup.conf import survey_key
from careline.followup.models import Survey
from careline.followup.tests.conftest import NOW, Story, post_answer, survey_path
from careline.workflow.signing import make_survey_token

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def answer_row() -> tuple[Any, ...]:
    survey = Survey.objects.get()
    return (survey.used_at, survey.score, survey.comment)


def state_of(response: Any) -> str:
    html = response.content.decode()
    return html.split('data-state="')[1].split('"')[0]


def test_the_page_needs_no_login_and_shows_only_the_brand_and_the_form(
    resolved: Story, token: str, public_client: Client
) -> None:
    response = public_client.get(survey_path(token))

    assert response.status_code == 200
    html = response.content.decode()
    assert "How did we do?" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert html.count('type="radio" name="score"') == 5
    # Nothing of the case: not the customer's words, not their name, not the case number.
    assert "parcel" not in html.lower()
    assert "Jane" not in html
    assert "janesmith" not in html
    assert "<script" not in html
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_an_answer_is_recorded_once_with_an_event(
    resolved: Story, token: str, public_client: Client
) -> None:
    response = post_answer(public_client, token, score="4", comment="Quick and kind")

    assert response.status_code == 200
    assert state_of(response) == "thanks"
    assert answer_row() == (NOW, 4, "Quick and kind")
    event = resolved.case.events.get(kind=EventKind.SURVEY_ANSWERED)
    assert event.reason == "The customer rated our help 4 out of 5 and left a comment"
    assert event.data == {"survey": Survey.objects.get().pk, "score": 4, "has_comment": True}


def test_a_reused_link_changes_nothing(
    resolved: Story, token: str, public_client: Client, clock: Any
) -> None:
    post_answer(public_client, token, score="5", comment="first")
    clock.shift(timedelta(minutes=3))

    again = post_answer(public_client, token, score="1", comment="second")
    page = public_client.get(survey_path(token))

    assert again.status_code == 200  # the page check sees it answered before the ledger does
    assert state_of(again) == "answered"
    assert state_of(page) == "answered"
    assert answer_row() == (NOW, 5, "first")
    assert resolved.case.events.filter(kind=EventKind.SURVEY_ANSWERED).count() == 1


def test_a_race_between_two_posts_is_decided_by_the_ledger(
    resolved: Story, token: str, public_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both requests passed the "already answered?" check; only one UPDATE can win."""
    from careline.followup import services
    from careline.web import survey_views

    post_answer(public_client, token, score="5", comment="first")
    real_read = services.read_survey

    def stale_read(link: str, **kwargs: Any) -> Any:
        claim, survey = real_read(link, **kwargs)
        survey.used_at = None  # as read before the other request committed
        return claim, survey

    monkeypatch.setattr(survey_views, "read_survey", stale_read)
    second = post_answer(public_client, token, score="2", comment="second")

    assert second.status_code == 409
    assert state_of(second) == "answered"
    assert answer_row() == (NOW, 5, "first")
    assert resolved.case.events.filter(kind=EventKind.SURVEY_ANSWERED).count() == 1


def _forged(conversation_id: int, nonce: str) -> str:
    return make_survey_token(
        "not-our-key-at-all-0123456789", conversation_id, nonce, NOW + timedelta(days=1)
    )


def test_a_forged_link_is_refused_with_a_neutral_page(
    resolved: Story, token: str, public_client: Client
) -> None:
    forged = _forged(resolved.case.pk, Survey.objects.get().nonce)

    page = public_client.get(survey_path(forged))
    answer = post_answer(public_client, forged, score="5")

    assert (page.status_code, state_of(page)) == (404, "invalid")
    assert (answer.status_code, state_of(answer)) == (404, "invalid")
    assert "Survey not found" in page.content.decode()
    assert answer_row() == (None, None, "")


def test_an_altered_link_is_refused(resolved: Story, token: str, public_client: Client) -> None:
    payload, signature = token.split(".")
    claim = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claim["e"] += 365 * 86400  # a year longer
    longer = base64.urlsafe_b64encode(json.dumps(claim, separators=(",", ":")).encode())
    altered = longer.decode().rstrip("=") + "." + signature
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")

    for link in (altered, flipped, token + "x", token.replace(".", ""), "abc.def"):
        response = post_answer(public_client, link, score="5")
        assert (response.status_code, state_of(response)) == (404, "invalid"), link
    assert answer_row() == (None, None, "")


def test_a_link_signed_for_a_nonce_we_never_sent_is_refused(
    resolved: Story, token: str, public_client: Client
) -> None:
    ours_but_unissued = make_survey_token(
        survey_key(), resolved.case.pk, "x" * 22, NOW + timedelta(days=1)
    )

    response = post_answer(public_client, ours_but_unissued, score="5")

    assert (response.status_code, state_of(response)) == (404, "invalid")
    assert answer_row() == (None, None, "")


def test_an_expired_link_is_refused(
    resolved: Story, token: str, public_client: Client, clock: Any
) -> None:
    public_client.get(survey_path(token))  # the CSRF cookie, while the page still opens
    clock.move_to(NOW + timedelta(days=14))

    page = public_client.get(survey_path(token))
    answer = post_answer(public_client, token, score="5")

    assert (page.status_code, state_of(page)) == (410, "expired")
    assert (answer.status_code, state_of(answer)) == (410, "expired")
    assert "The link has expired" in page.content.decode()
    assert answer_row() == (None, None, "")


def test_a_link_one_second_before_expiry_still_works(
    resolved: Story, token: str, public_client: Client, clock: Any
) -> None:
    public_client.get(survey_path(token))
    clock.move_to(NOW + timedelta(days=14) - timedelta(seconds=1))

    response = post_answer(public_client, token, score="3")

    assert response.status_code == 200
    assert answer_row()[1] == 3


@pytest.mark.parametrize("score", ["0", "6", "abc", "", "4.5", "-1", "1e0"])
def test_an_invalid_score_stores_nothing_and_keeps_the_link(
    resolved: Story, token: str, public_client: Client, score: str
) -> None:
    response = post_answer(public_client, token, score=score, comment="hi")

    assert response.status_code == 400
    assert "Choose a score from 1 to 5." in response.content.decode()
    assert answer_row() == (None, None, "")
    assert post_answer(public_client, token, score="2").status_code == 200


def test_a_missing_score_is_refused(resolved: Story, token: str, public_client: Client) -> None:
    response = post_answer(public_client, token, comment="no score")

    assert response.status_code == 400
    assert answer_row() == (None, None, "")


def test_a_comment_over_the_limit_is_refused(
    resolved: Story, token: str, public_client: Client
) -> None:
    response = post_answer(public_client, token, score="5", comment="x" * 1001)

    assert response.status_code == 400
    assert "The comment is limited to 1000 characters." in response.content.decode()
    assert answer_row() == (None, None, "")
    assert post_answer(public_client, token, score="5", comment="x" * 1000).status_code == 200
    assert answer_row() == (NOW, 5, "x" * 1000)


def test_a_hostile_comment_is_stored_as_text_and_shown_inert(
    resolved: Story, token: str, public_client: Client, client: Client
) -> None:
    post_answer(public_client, token, score="2", comment=SCRIPT)
    client.force_login(resolved.agent)

    html = client.get(f"/c/{resolved.case.pk}/").content.decode()

    assert answer_row() == (NOW, 2, SCRIPT)
    panel = html.split('data-testid="followup-panel"')[1].split("</section>")[0]
    assert SCRIPT_ESCAPED in panel
    assert SCRIPT not in html


def test_a_post_without_the_csrf_token_is_refused(
    resolved: Story, token: str, public_client: Client
) -> None:
    public_client.get(survey_path(token))

    response = public_client.post(survey_path(token), {"score": "5"})

    assert response.status_code == 403
    assert answer_row() == (None, None, "")


def test_too_many_requests_from_one_address_are_refused(
    resolved: Story, token: str, public_client: Client, settings: Any
) -> None:
    settings.CARELINE_SURVEY_RATE_LIMIT = 3
    codes = [public_client.get(survey_path(token)).status_code for _ in range(4)]

    assert codes == [200, 200, 200, 429]


def test_a_link_signed_with_a_previous_key_still_works(
    resolved: Story, public_client: Client, settings: Any, run: Callable[..., Any]
) -> None:
    survey = Survey.objects.get()
    old = make_survey_token(survey_key(), resolved.case.pk, survey.nonce, survey.expires_at)
    settings.CARELINE_SURVEY_KEY = "the-rotated-survey-key-0123456789abcdef"
    settings.CARELINE_SURVEY_PREVIOUS_KEYS = []

    assert post_answer(public_client, old, score="4").status_code == 200
    assert answer_row()[1] == 4


def test_a_link_signed_with_a_retired_key_is_refused(
    resolved: Story, public_client: Client, settings: Any
) -> None:
    survey = Survey.objects.get()
    settings.CARELINE_SURVEY_KEY = "key-one-0123456789abcdef0123456789"
    old = make_survey_token(survey_key(), resolved.case.pk, survey.nonce, survey.expires_at)
    settings.CARELINE_SURVEY_KEY = "key-two-0123456789abcdef0123456789"
    settings.CARELINE_SURVEY_PREVIOUS_KEYS = []

    response = post_answer(public_client, old, score="4")

    assert (response.status_code, state_of(response)) == (404, "invalid")
    assert answer_row() == (None, None, "")
