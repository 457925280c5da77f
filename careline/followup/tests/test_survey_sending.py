"""The survey goes out once per resolution, through the case's channel, with a signed link."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import respx
from django.utils import timezone

from careline.cases.models import CaseEvent, Conversation, EventKind
from careline.cases.services import CaseActionError, transition_case
from careline.followup import services
from careline.followup.conf import survey_key
from careline.followup.models import Survey, SurveyDelivery
from careline.followup.tests.conftest import LINK, NOW, Story, customer_writes, sent_texts
from careline.inbox.models import Channel, Direction, Message
from careline.replies.models import OutboundMessage
from careline.workflow.signing import read_survey_token
from conftest import T0

pytestmark = pytest.mark.django_db


def kinds(case: Conversation, *wanted: str) -> list[str]:
    return list(case.events.filter(kind__in=wanted).values_list("kind", flat=True))


def test_resolving_sends_one_survey_privately_with_a_signed_link(
    resolved: Story, relay: respx.Route
) -> None:
    survey = Survey.objects.get()
    assert survey.outbound_id is not None
    outbound = OutboundMessage.objects.select_related("message").get(pk=survey.outbound_id)
    text = outbound.message.text
    match = LINK.search(text)
    assert match is not None
    claim = read_survey_token(survey_key(), match.group(1), NOW)
    assert (claim.conversation_id, claim.nonce) == (resolved.case.pk, survey.nonce)
    assert claim.expires_at == NOW + timedelta(days=14)
    assert (survey.delivery, survey.expires_at, survey.sent_at) == (
        SurveyDelivery.PRIVATE,
        NOW + timedelta(days=14),
        NOW,
    )
    assert survey.resolved_at == resolved.case.resolved_at
    # Through the channel: the relay got exactly the agent's reply, then the survey.
    assert sent_texts(relay) == ["Sorry! A new parcel is on its way.", text]
    assert (outbound.channel_id, outbound.created_by_id) == (resolved.case.channel_id, None)
    assert outbound.message.visibility == "private"
    event = resolved.case.events.get(kind=EventKind.SURVEY_SENT)
    assert event.actor is None
    assert event.data["survey"] == survey.pk
    assert event.data["delivery"] == "private"
    assert event.reason.startswith(
        "Satisfaction survey sent by private message; link valid until 2026-11-16 10:00 UTC."
    )


def test_a_second_run_for_the_same_resolution_sends_nothing(
    resolved: Story, relay: respx.Route, run: Callable[..., Any]
) -> None:
    again = run(services.send_survey, resolved.case)

    assert again == Survey.objects.get()
    assert len(relay.calls) == 2
    assert kinds(resolved.case, EventKind.SURVEY_SENT) == [EventKind.SURVEY_SENT]


def test_a_new_resolution_after_a_reopen_gets_its_own_survey(
    resolved: Story, generic_channel: Channel, clock: Any, run: Callable[..., Any]
) -> None:
    clock.shift(timedelta(hours=2))
    customer_writes(generic_channel, "p2", "Still nothing, sorry", at=timezone.now(), reply_to="p1")
    case = resolved.refresh()
    assert case.status == "open"
    run(services.queue_reply, case, text="Checked again: it is there.", public=False, actor=None)
    clock.shift(timedelta(minutes=5))
    run(transition_case, case, to="resolved", actor=resolved.agent)

    surveys = list(Survey.objects.order_by("sent_at"))
    assert [s.sent_at for s in surveys] == [NOW, NOW + timedelta(hours=2, minutes=5)]
    assert len({s.nonce for s in surveys}) == 2


def test_a_case_resolved_with_a_decision_not_to_reply_gets_no_survey(
    answered: Story, relay: respx.Route, run: Callable[..., Any]
) -> None:
    Conversation.objects.filter(pk=answered.case.pk).update(
        no_reply_at=NOW, no_reply_reason="duplicate"
    )
    run(transition_case, answered.case, to="resolved", actor=answered.agent)

    assert not Survey.objects.exists()
    assert len(relay.calls) == 1  # only the agent's reply
    note = answered.case.events.get(kind=EventKind.NOTE)
    assert note.reason == (
        "No satisfaction survey: the case was resolved with a decision not to reply."
    )
    assert note.actor is None


def test_spam_gets_no_survey(answered: Story, run: Callable[..., Any]) -> None:
    Conversation.objects.filter(pk=answered.case.pk).update(triage_kind="spam")
    run(transition_case, answered.case, to="resolved", actor=answered.agent)

    assert not Survey.objects.exists()
    assert answered.case.events.get(kind=EventKind.NOTE).reason == (
        "No satisfaction survey: the case was triaged as spam."
    )


def test_a_case_nobody_answered_gets_no_survey(
    generic_channel: Channel, agent: Any, relay: respx.Route, run: Callable[..., Any]
) -> None:
    customer_writes(generic_channel, "p1", "hello?", at=T0)
    case = Conversation.objects.get()
    run(transition_case, case, to="resolved", actor=agent)

    assert not Survey.objects.exists()
    assert len(relay.calls) == 0
    assert case.events.get(kind=EventKind.NOTE).reason == (
        "No satisfaction survey: nobody from the team was in contact with the customer."
    )


def _refuse_private(monkeypatch: pytest.MonkeyPatch) -> None:
    real = services.queue_reply

    def queue_reply(conversation: Conversation, *, text: str, public: bool, actor: Any) -> Any:
        if not public:
            raise CaseActionError("Messenger window closed 2 days ago")
        return real(conversation, text=text, public=public, actor=actor)

    monkeypatch.setattr(services, "queue_reply", queue_reply)


def test_when_no_private_message_can_go_the_survey_is_not_posted_in_public(
    answered: Story, relay: respx.Route, run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    _refuse_private(monkeypatch)
    run(transition_case, answered.case, to="resolved", actor=answered.agent)

    survey = Survey.objects.get()
    assert (survey.delivery, survey.outbound, survey.not_sent_reason) == (
        SurveyDelivery.NOT_SENT,
        None,
        "Messenger window closed 2 days ago",
    )
    assert len(relay.calls) == 1
    assert kinds(answered.case, EventKind.SURVEY_SENT) == []
    assert answered.case.events.get(kind=EventKind.NOTE).reason == (
        "Satisfaction survey not sent: Messenger window closed 2 days ago"
    )


def test_on_a_platform_without_private_messages_the_link_goes_in_public(
    answered: Story,
    relay: respx.Route,
    run: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    settings.CARELINE_SURVEY_PUBLIC_FALLBACK = ["generic"]
    _refuse_private(monkeypatch)
    run(transition_case, answered.case, to="resolved", actor=answered.agent)

    survey = Survey.objects.get()
    assert survey.delivery == SurveyDelivery.PUBLIC
    message = Message.objects.get(outbox=survey.outbound)
    assert (message.visibility, message.direction) == ("public", Direction.OUTBOUND)
    assert LINK.search(message.text) is not None
    event = answered.case.events.get(kind=EventKind.SURVEY_SENT)
    assert event.reason.startswith(
        "Satisfaction survey sent in a public reply (no private message possible: Messenger "
        "window closed 2 days ago)"
    )


def test_the_survey_message_keeps_its_link_whatever_the_playbook_says(
    answered: Story, run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from careline.replies import drafting

    def draft_reply(conversation: Conversation, **kwargs: Any) -> Any:
        return SimpleNamespace(text="How did we do?", reason="a test", playbook="custom")

    monkeypatch.setattr(drafting, "draft_reply", draft_reply)
    run(transition_case, answered.case, to="resolved", actor=answered.agent)

    text = Message.objects.get(outbox=Survey.objects.get().outbound).text
    token = read_survey_token(survey_key(), text.split("/s/")[1].rstrip("/"), NOW)
    assert text == f"How did we do?\nhttp://127.0.0.1:8000/s/{text.split('/s/')[1]}"
    assert token.conversation_id == answered.case.pk


def test_the_playbook_words_the_survey_and_the_reason_says_so(resolved: Story) -> None:
    survey = Survey.objects.get()
    text = Message.objects.get(outbox=survey.outbound).text
    reason = resolved.case.events.get(kind=EventKind.SURVEY_SENT).reason

    assert LINK.search(text) is not None
    assert "Wording: playbook " in reason


def test_the_survey_key_is_not_the_secret_key_and_rotation_keeps_old_links(
    settings: Any,
) -> None:
    derived = survey_key()
    assert derived != settings.SECRET_KEY
    assert len(derived) == 64
    settings.CARELINE_SURVEY_KEY = "a-brand-new-dedicated-survey-key-0123456789"
    from careline.followup.conf import previous_survey_keys

    assert survey_key() == "a-brand-new-dedicated-survey-key-0123456789"
    assert previous_survey_keys() == [derived]


def test_system_messages_do_not_count_as_an_answer(
    resolved: Story, generic_channel: Channel, clock: Any, run: Callable[..., Any]
) -> None:
    clock.shift(timedelta(minutes=10))
    customer_writes(generic_channel, "p2", "one more thing", at=timezone.now(), reply_to="p1")
    due = resolved.refresh().followup_due_at
    assert due == NOW + timedelta(minutes=10, hours=4)
    run(services.queue_reply, resolved.case, text="careline note", public=False, actor=None)
    assert resolved.refresh().followup_due_at == due
    run(
        services.queue_reply,
        resolved.case,
        text="Here is the answer",
        public=False,
        actor=resolved.agent,
    )
    assert resolved.refresh().followup_due_at is None


def test_survey_events_are_append_only_records(resolved: Story) -> None:
    assert CaseEvent.objects.filter(kind=EventKind.SURVEY_SENT).count() == 1


def test_a_lost_survey_task_is_made_up_by_the_sweep(
    answered: Story, relay: respx.Route, run: Callable[..., Any], clock: Any
) -> None:
    from careline.followup.services import sweep_followups

    transition_case(answered.case, to="resolved", actor=answered.agent)  # the task never ran
    assert not Survey.objects.exists()

    clock.shift(timedelta(minutes=4))
    assert run(sweep_followups).surveys_recovered == 0
    clock.shift(timedelta(minutes=1))
    recovered = run(sweep_followups)
    again = run(sweep_followups)

    assert (recovered.surveys_recovered, again.surveys_recovered) == (1, 0)
    survey = Survey.objects.get()
    assert survey.resolved_at == NOW
    assert LINK.search(sent_texts(relay)[-1]) is not None


def test_the_sweep_records_a_skipped_survey_once(
    answered: Story, run: Callable[..., Any], clock: Any
) -> None:
    from careline.followup.services import sweep_followups

    Conversation.objects.filter(pk=answered.case.pk).update(triage_kind="spam")
    transition_case(answered.case, to="resolved", actor=answered.agent)
    clock.shift(timedelta(minutes=10))

    run(sweep_followups)
    run(sweep_followups)

    assert not Survey.objects.exists()
    assert answered.case.events.filter(kind=EventKind.NOTE).count() == 1
