"""Severity from the case's context: repeated contact, the author's reach, a public pile-on —
each with its reason; praise is never raised; follower counts reach the author record."""

from __future__ import annotations

from dataclasses import replace

import pytest

from careline.assessments.context import CaseContext, context_severity, raised
from careline.assessments.tests.conftest import case_of, ingest_and_assess
from careline.connectors.mastodon.payloads import item_from_notification
from careline.connectors.normalise import item_from_record
from careline.connectors.x.payloads import item_from_v1_tweet, item_from_v2_tweet
from careline.inbox.models import Author, Channel
from conftest import item

pytestmark = pytest.mark.django_db

COMPLAINT = "My parcel never arrived and nobody answers, this is terrible service"


def _context(**changes: object) -> CaseContext:
    base: dict[str, object] = {
        "kind": "complaint",
        "sentiment": "negative",
        "recent_cases_of_author": 1,
        "author_followers": None,
        "complainers_in_thread": 1,
    }
    base.update(changes)
    return CaseContext(**base)  # type: ignore[arg-type]


def test_a_first_complaint_from_a_small_account_alone_adds_nothing() -> None:
    assert context_severity(_context()) == context_severity(_context(author_followers=9_999))
    assert context_severity(_context()).points == 0
    assert context_severity(_context()).reason == ""


def test_each_part_of_the_context_adds_points_with_its_reason() -> None:
    result = context_severity(
        _context(recent_cases_of_author=3, author_followers=120_000, complainers_in_thread=4)
    )

    assert result.points == 50
    assert result.reason == (
        "3 cases from this person in 30 days (+20); author reaches 120,000 followers (+20); "
        "4 people complaining under the same post in 24 h (+10)"
    )


def test_praise_from_a_large_account_is_not_raised() -> None:
    happy = _context(kind="compliment", sentiment="positive", author_followers=500_000)

    assert context_severity(happy).points == 0


def test_raised_severity_stops_at_100() -> None:
    assert raised(90, context_severity(_context(author_followers=200_000))) == 100


def test_a_repeated_complaint_raises_the_case_and_says_why(generic_channel: Channel) -> None:
    ingest_and_assess(generic_channel, [item("first", author="kim", text=COMPLAINT)])
    first = case_of("first")
    first.status = "closed"
    first.save(update_fields=["status"])

    ingest_and_assess(generic_channel, [item("again", author="kim", text=COMPLAINT, minutes=60)])

    again = case_of("again")
    assert again.pk != first.pk
    assert again.triage_context == "second case from this person in 30 days (+10)"
    assert again.triage_severity == first.triage_severity + 10


def test_an_author_with_a_large_audience_raises_the_case(generic_channel: Channel) -> None:
    loud = replace(item("loud", author="big", text=COMPLAINT), author_followers=25_000)
    quiet = item("quiet", author="small", text=COMPLAINT)

    ingest_and_assess(generic_channel, [loud, quiet])

    assert Author.objects.get(external_id="big").followers == 25_000
    assert case_of("loud").triage_context == "author reaches 25,000 followers (+10)"
    assert case_of("loud").triage_severity == case_of("quiet").triage_severity + 10


def test_two_new_cases_of_one_person_in_one_batch_count_as_a_repeat(
    generic_channel: Channel,
) -> None:
    ingest_and_assess(
        generic_channel,
        [
            item("first", author="kim", text=COMPLAINT),
            item("second", author="kim", text="Also, my refund never came", minutes=30),
        ],
    )

    assert case_of("first").pk != case_of("second").pk
    assert case_of("first").triage_context == ""
    assert case_of("second").triage_context == "second case from this person in 30 days (+10)"


def test_a_new_case_counts_the_reach_stored_with_its_author(generic_channel: Channel) -> None:
    known = replace(item("hello", author="big", text="Lovely shop"), author_followers=25_000)
    ingest_and_assess(generic_channel, [known])

    # The new post carries no follower count: the author's stored one counts.
    ingest_and_assess(generic_channel, [item("angry", author="big", text=COMPLAINT, minutes=9)])

    assert case_of("angry").pk != case_of("hello").pk
    assert case_of("angry").triage_context == (
        "second case from this person in 30 days (+10); author reaches 25,000 followers (+10)"
    )


def test_a_pile_on_under_one_post_raises_each_complainer(generic_channel: Channel) -> None:
    ingest_and_assess(generic_channel, [item("post", author="shop", text="Our new range is out")])
    replies = [
        item(f"r{n}", author=f"p{n}", text=COMPLAINT, reply_to="post", minutes=n)
        for n in range(1, 4)
    ]

    ingest_and_assess(generic_channel, replies)

    assert {case_of(f"r{n}").triage_context for n in range(1, 4)} == {
        "3 people complaining under the same post in 24 h (+10)"
    }


def test_a_newer_follower_count_updates_the_author(generic_channel: Channel) -> None:
    early = replace(item("a1", author="grow", text="hello"), author_followers=10)
    later = replace(item("a2", author="grow", text="hello again", minutes=5), author_followers=12)
    ingest_and_assess(generic_channel, [early])
    ingest_and_assess(generic_channel, [later])

    assert Author.objects.get(external_id="grow").followers == 12


def test_follower_counts_are_read_from_x_and_mastodon_payloads() -> None:
    v1 = {
        "id_str": "1",
        "text": "hi",
        "created_at": "Mon Nov 02 09:00:00 +0000 2026",
        "user": {"id_str": "9", "screen_name": "jo", "name": "Jo", "followers_count": 4321},
    }
    v2 = {"id": "2", "text": "hi", "author_id": "9", "created_at": "2026-11-02T09:00:00Z"}
    users = {"9": {"id": "9", "username": "jo", "public_metrics": {"followers_count": 77}}}
    mastodon = {
        "id": "5",
        "type": "mention",
        "created_at": "2026-11-02T09:00:00Z",
        "account": {"id": "3", "acct": "jo@example.social", "followers_count": 12},
        "status": {
            "id": "6",
            "content": "<p>hi</p>",
            "created_at": "2026-11-02T09:00:00Z",
            "visibility": "public",
            "account": {"id": "3", "acct": "jo@example.social", "followers_count": 12},
        },
    }

    assert item_from_v1_tweet(v1, max_text_chars=100).author_followers == 4321
    assert item_from_v2_tweet(v2, users, max_text_chars=100).author_followers == 77
    toot = item_from_notification(mastodon, account_id="1", max_text_chars=100)
    assert toot is not None
    assert toot.author_followers == 12


@pytest.mark.parametrize("bad", ["-3", "lots", 1.5, True])
def test_an_import_row_with_a_bad_follower_count_is_refused(bad: object) -> None:
    row = {"id": "1", "author_id": "a", "text": "t", "created_at": "2026-11-02T09:00:00Z"}

    with pytest.raises(ValueError, match="author_followers must be a whole number"):
        item_from_record({**row, "author_followers": bad}, max_text_chars=100)
    counted = item_from_record({**row, "author_followers": " 42 "}, max_text_chars=100)
    assert counted.author_followers == 42
