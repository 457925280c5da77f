"""Success stories: only with consent, anonymised, approved by a supervisor."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from careline.accounts.models import User
from careline.cases.models import Conversation, EventKind
from careline.cases.services import CaseActionError
from careline.followup.models import StoryStatus, SuccessStory
from careline.followup.services import (
    approve_story,
    decline_story,
    draft_success_story,
    edit_story,
    mark_story_published,
    record_story_consent,
)
from careline.followup.stories import (
    StoryFacts,
    anonymise,
    compose_story,
    first_initial,
    private_data_types,
)
from careline.followup.tests.conftest import NOW, Story, customer_writes, post_answer
from careline.inbox.models import Channel, Message

pytestmark = pytest.mark.django_db

HOSTILE_COMMENT = (
    "Jane Smith here - order #12345 arrived at last! Call me on 07700 900123 or "
    "jane.smith@example.com, my card 4111 1111 1111 1111, see https://x.co/abc @janesmith"
)
LEAKS = ["Jane", "Smith", "janesmith", "12345", "07700", "900123", "example.com", "4111", "http"]


@pytest.fixture
def consent_asked(
    resolved: Story,
    token: str,
    public_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> Story:
    with django_capture_on_commit_callbacks(execute=True):
        post_answer(public_client, token, score="5", comment=HOSTILE_COMMENT)
    assert SuccessStory.objects.get().status == StoryStatus.ASKED
    return resolved


@pytest.fixture
def yes_message(consent_asked: Story, generic_channel: Channel) -> Message:
    customer_writes(
        generic_channel, "p9", "Yes, happy for you to share it", at=timezone.now(), reply_to="p1"
    )
    return Message.objects.get(external_id="p9")


def test_a_story_cannot_be_drafted_without_consent(consent_asked: Story) -> None:
    with pytest.raises(CaseActionError, match="record the customer's consent"):
        draft_success_story(consent_asked.case, actor=consent_asked.agent)

    story = SuccessStory.objects.get()
    assert (story.status, story.draft_text) == (StoryStatus.ASKED, "")
    assert not consent_asked.case.events.filter(kind=EventKind.STORY_DRAFTED).exists()


def test_consent_must_point_at_the_customers_message_in_this_case(
    consent_asked: Story, generic_channel: Channel
) -> None:
    outbound = consent_asked.case.messages.filter(direction="out").first()
    assert outbound is not None
    with pytest.raises(CaseActionError, match="a message the customer wrote in this case"):
        record_story_consent(
            consent_asked.case, actor=consent_asked.agent, message=outbound, granted=True
        )
    assert SuccessStory.objects.get().consent_at is None


def test_the_draft_is_anonymised(consent_asked: Story, yes_message: Message) -> None:
    record_story_consent(
        consent_asked.case,
        actor=consent_asked.agent,
        message=yes_message,
        granted=True,
        how="replied yes to the question",
    )
    story = draft_success_story(consent_asked.case, actor=consent_asked.agent)

    assert story.status == StoryStatus.DRAFT
    text = story.draft_text
    assert text.startswith("A customer, J., got in touch with us on Generic webhook")
    assert "They rated our help 5 out of 5." in text
    for leak in LEAKS:
        assert leak not in text, leak
    assert private_data_types(text) == []
    assert "arrived at last" in text
    event = consent_asked.case.events.get(kind=EventKind.STORY_DRAFTED)
    assert (event.actor, event.data) == (
        consent_asked.agent,
        {"step": "drafted", "story": story.pk},
    )
    consent = consent_asked.case.events.get(kind=EventKind.STORY_CONSENT, data__step="given")
    assert consent.reason == "The customer agreed to share their story: replied yes to the question"


def test_a_declined_consent_blocks_the_draft(consent_asked: Story, yes_message: Message) -> None:
    record_story_consent(
        consent_asked.case, actor=consent_asked.agent, message=yes_message, granted=False
    )

    with pytest.raises(CaseActionError, match="record the customer's consent"):
        draft_success_story(consent_asked.case, actor=consent_asked.agent)
    assert SuccessStory.objects.get().status == StoryStatus.DECLINED


@pytest.fixture
def drafted(consent_asked: Story, yes_message: Message) -> SuccessStory:
    record_story_consent(
        consent_asked.case, actor=consent_asked.agent, message=yes_message, granted=True
    )
    return draft_success_story(consent_asked.case, actor=consent_asked.agent)


def test_an_agent_cannot_approve(drafted: SuccessStory, agent: User) -> None:
    with pytest.raises(CaseActionError, match="only a supervisor or admin"):
        approve_story(drafted, actor=agent)
    assert SuccessStory.objects.get().status == StoryStatus.DRAFT


def test_an_edit_with_private_data_is_refused(drafted: SuccessStory, supervisor: User) -> None:
    with pytest.raises(CaseActionError, match=r"private data \(email\)"):
        edit_story(drafted, actor=supervisor, text="Thanks to jane@example.com for the kind words")
    assert SuccessStory.objects.get().draft_text == drafted.draft_text


def test_a_supervisor_edits_approves_and_marks_published(
    drafted: SuccessStory, supervisor: User
) -> None:
    edit_story(drafted, actor=supervisor, text="J. had a late parcel; we fixed it the same day.")
    approved = approve_story(drafted, actor=supervisor)
    published = mark_story_published(approved, actor=supervisor, where="https://shop.example/b/1")

    assert (published.status, published.approved_by, published.approved_at) == (
        StoryStatus.PUBLISHED,
        supervisor,
        NOW,
    )
    assert published.draft_text == "J. had a late parcel; we fixed it the same day."
    assert published.published_where == "https://shop.example/b/1"
    steps = list(
        Conversation.objects.get(pk=drafted.conversation_id)
        .events.filter(kind=EventKind.STORY_DRAFTED)
        .values_list("data__step", flat=True)
    )
    assert steps == ["drafted", "edited", "approved", "published"]


def test_a_declined_story_needs_a_reason(drafted: SuccessStory, supervisor: User) -> None:
    with pytest.raises(CaseActionError, match="say why"):
        decline_story(drafted, actor=supervisor, reason="  ")
    decline_story(drafted, actor=supervisor, reason="too little to tell")

    story = SuccessStory.objects.get()
    assert (story.status, story.declined_reason) == (StoryStatus.DECLINED, "too little to tell")


# --- the pure anonymiser ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "initial"),
    [("Jane Smith", "J."), ("  élodie", "É."), ("@@123", ""), ("", ""), ("42 Zed", "Z.")],
)
def test_first_initial(name: str, initial: str) -> None:
    assert first_initial(name) == initial


def test_anonymise_removes_every_kind_of_identifier() -> None:
    out = anonymise(HOSTILE_COMMENT, names=["Jane Smith", "janesmith"])

    assert out == "… here - order … arrived at last! Call me on … or …, my card …, see …"


def test_anonymise_keeps_short_numbers_and_ordinary_words() -> None:
    assert anonymise("Arrived in 2 days, 5 stars", names=["Al"]) == "Arrived in 2 days, 5 stars"


def test_a_story_without_a_comment_says_only_safe_facts() -> None:
    text = compose_story(
        StoryFacts(initial="", platform="X", topic="delivery", score=None, comment="")
    )
    assert text == "A customer got in touch with us on X about delivery. We sorted it out together."


def test_a_long_comment_is_cut_to_a_short_quote() -> None:
    text = compose_story(
        StoryFacts(initial="A.", platform="X", topic="", score=4, comment="great " * 100)
    )
    quote = text.split("“")[1].split("”")[0]
    assert len(quote) <= 280
    assert quote.endswith("…")
