"""The synthetic demo-traffic generator: plain Python, no database needed."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta, timezone
from string import Formatter

import pytest

from careline.demo import generator
from careline.demo.generator import (
    BRAND_HANDLE,
    CHANNEL_WEIGHTS,
    CHANNELS,
    FACEBOOK_PAGE_ID,
    KIND_WEIGHTS,
    SPIKE_SCENARIO,
    DemoPost,
    generate,
    kind_of,
)

NOW = datetime(2025, 3, 14, 16, 20, 45, 123456, tzinfo=UTC)
CARD_RE = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_RE = re.compile(r"(?:\+44 ?|0)\d{2,4} ?\d{3,4} ?\d{3,4}")


def luhn_ok(number: str) -> bool:
    digits = [int(d) for d in number]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


@pytest.fixture(scope="module")
def posts() -> list[DemoPost]:
    return generate(items=5_000, seed=42, now=NOW)


# --------------------------------------------------------------------------- basics


def test_the_same_seed_gives_identical_posts() -> None:
    assert generate(items=800, seed=3, now=NOW) == generate(items=800, seed=3, now=NOW)


def test_different_seeds_give_different_posts() -> None:
    a = generate(items=800, seed=3, now=NOW)
    b = generate(items=800, seed=4, now=NOW)
    assert [p.text for p in a] != [p.text for p in b]
    assert [p.created_at for p in a] != [p.created_at for p in b]


@pytest.mark.parametrize("items", [0, 1, 7, 39, 40, 333])
def test_returns_exactly_the_requested_number_of_posts(items: int) -> None:
    assert len(generate(items=items, seed=1, now=NOW)) == items


def test_posts_are_sorted_by_creation_time(posts: list[DemoPost]) -> None:
    stamps = [p.created_at for p in posts]
    assert stamps == sorted(stamps)


def test_times_are_aware_utc_and_within_the_fourteen_days_before_now(
    posts: list[DemoPost],
) -> None:
    for post in posts:
        assert post.created_at.tzinfo is not None
        assert post.created_at.utcoffset() == timedelta(0)
        assert NOW - timedelta(days=14) <= post.created_at < NOW


def test_a_non_utc_now_is_respected() -> None:
    now = datetime(2025, 3, 14, 9, 0, tzinfo=timezone(timedelta(hours=-5)))
    out = generate(items=500, seed=9, now=now)
    assert all(now - timedelta(days=14) <= p.created_at < now for p in out)
    assert all(p.created_at.utcoffset() == timedelta(0) for p in out)


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        generate(items=10, seed=1, now=datetime(2025, 3, 14))


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="items"):
        generate(items=-1, seed=1, now=NOW)


def test_every_channel_is_a_known_channel(posts: list[DemoPost]) -> None:
    assert {p.channel for p in posts} == set(CHANNELS)


def test_every_template_slot_has_a_filler() -> None:
    builder = generator._Builder(0, NOW)
    for text, _ in generator.ALL_TEMPLATES:
        for _, field, _, _ in Formatter().parse(text):
            if field:
                assert field in builder.slots, (field, text)


def test_no_template_slot_is_left_unfilled(posts: list[DemoPost]) -> None:
    slot = re.compile(r"\{[a-z_0-9]+\}")
    assert not [p.text for p in posts if slot.search(p.text)]


# --------------------------------------------------------------------------- ids and people


def test_external_ids_are_unique_within_each_channel(posts: list[DemoPost]) -> None:
    seen = Counter((p.channel, p.external_id) for p in posts)
    assert max(seen.values()) == 1


def test_external_ids_look_like_each_platform(posts: list[DemoPost]) -> None:
    for post in posts:
        if post.channel == "x":
            assert re.fullmatch(r"\d{19}", post.external_id), post.external_id
        elif post.channel == "facebook":
            assert re.fullmatch(rf"{FACEBOOK_PAGE_ID}_\d+", post.external_id)
        elif post.channel == "instagram":
            assert re.fullmatch(r"\d{17,18}", post.external_id)
        else:
            assert re.fullmatch(r"m_[A-Za-z0-9_-]{40,}", post.external_id)


def test_an_author_id_always_has_the_same_handle_and_name(posts: list[DemoPost]) -> None:
    identity: dict[tuple[str, str], tuple[str, str]] = {}
    for post in posts:
        key = (post.channel, post.author_id)
        who = (post.author_handle, post.author_name)
        assert identity.setdefault(key, who) == who


def test_some_customers_post_several_times(posts: list[DemoPost]) -> None:
    per_author = Counter((p.channel, p.author_id) for p in posts)
    repeaters = [n for n in per_author.values() if n >= 3]
    assert len(repeaters) >= 50
    assert len(per_author) > len(posts) / 3  # but most people are not regulars


# --------------------------------------------------------------------------- threads


def test_replies_point_to_an_earlier_post_in_the_same_channel(posts: list[DemoPost]) -> None:
    position = {(p.channel, p.external_id): i for i, p in enumerate(posts)}
    replies = 0
    for i, post in enumerate(posts):
        if post.reply_to is None:
            continue
        replies += 1
        j = position[(post.channel, post.reply_to)]
        parent = posts[j]
        assert j < i
        assert parent.created_at < post.created_at
        assert parent.public == post.public  # DMs answer DMs, comments answer comments
    assert replies > 0


def test_about_a_quarter_of_posts_are_replies(posts: list[DemoPost]) -> None:
    share = sum(p.reply_to is not None for p in posts) / len(posts)
    assert 0.18 <= share <= 0.32


def test_threads_have_both_follow_ups_and_pile_ons(posts: list[DemoPost]) -> None:
    by_id = {(p.channel, p.external_id): p for p in posts}
    same = other = 0
    for post in posts:
        if post.reply_to is not None and post.public:
            parent = by_id[(post.channel, post.reply_to)]
            if parent.author_id == post.author_id:
                same += 1
            else:
                other += 1
    assert same >= 100
    assert other >= 100


def test_direct_messages_come_back_from_the_same_person(posts: list[DemoPost]) -> None:
    per_author = Counter((p.channel, p.author_id) for p in posts if not p.public)
    assert sum(1 for n in per_author.values() if n >= 3) >= 30


def test_indirect_mentions_name_the_brand_without_tagging_it(posts: list[DemoPost]) -> None:
    indirect = [p for p in posts if kind_of(p.scenario) == "indirect"]
    assert indirect
    for post in indirect:
        assert post.public
        assert post.reply_to is None
        assert post.channel != "messenger"
        assert "@" + BRAND_HANDLE not in post.text.lower()
        assert "larkspur" in post.text.lower()


# --------------------------------------------------------------------------- privacy


def test_messenger_posts_are_all_private(posts: list[DemoPost]) -> None:
    messenger = [p for p in posts if p.channel == "messenger"]
    assert messenger
    assert not any(p.public for p in messenger)


def test_facebook_and_instagram_posts_are_public_and_x_has_both(posts: list[DemoPost]) -> None:
    assert all(p.public for p in posts if p.channel in ("facebook", "instagram"))
    assert {p.public for p in posts if p.channel == "x"} == {True, False}


def test_every_card_number_in_a_private_data_post_passes_luhn(posts: list[DemoPost]) -> None:
    card_posts = [p for p in posts if p.scenario == "private/card_number"]
    assert len(card_posts) >= 20
    separators = set()
    for post in card_posts:
        found = CARD_RE.findall(post.text)
        assert found, post.text
        for raw in found:
            digits = re.sub(r"\D", "", raw)
            assert 13 <= len(digits) <= 19
            assert luhn_ok(digits), post.text
            separators.add(" " if " " in raw else "-" if "-" in raw else "")
    assert separators == {" ", "-", ""}  # spaced, dashed and plain


def test_passwords_and_pins_are_only_shared_in_direct_messages(posts: list[DemoPost]) -> None:
    password_posts = [p for p in posts if p.scenario == "private/password"]
    assert password_posts
    assert not any(p.public for p in password_posts)
    assert all(re.search(r"(?i)password|pin", p.text) for p in password_posts)


def test_contact_posts_carry_an_email_or_a_phone_number(posts: list[DemoPost]) -> None:
    contact = [p for p in posts if p.scenario == "private/contact"]
    assert contact
    for post in contact:
        assert EMAIL_RE.search(post.text) or PHONE_RE.search(post.text), post.text


# --------------------------------------------------------------------------- mix


def test_the_kind_mix_is_close_to_the_target(posts: list[DemoPost]) -> None:
    counts = Counter(kind_of(p.scenario) for p in posts)
    assert set(counts) == set(KIND_WEIGHTS)
    for kind, target in KIND_WEIGHTS.items():
        assert abs(counts[kind] / len(posts) - target) <= 0.03, kind


def test_the_channel_mix_is_close_to_the_target(posts: list[DemoPost]) -> None:
    counts = Counter(p.channel for p in posts)
    for channel, target in CHANNEL_WEIGHTS.items():
        assert abs(counts[channel] / len(posts) - target) <= 0.04, channel


def test_complaints_cover_every_topic(posts: list[DemoPost]) -> None:
    topics = {p.scenario for p in posts if kind_of(p.scenario) == "complaint"}
    assert {
        "complaint/late_delivery",
        "complaint/wrong_item",
        "complaint/refund_missing",
        "complaint/defective",
        "complaint/product_safety",
        "complaint/double_charge",
        "complaint/account_login",
    } <= topics


def test_x_posts_fit_in_280_characters(posts: list[DemoPost]) -> None:
    assert max(len(p.text) for p in posts if p.channel == "x") <= 280


def test_public_x_posts_mention_the_brand_unless_indirect(posts: list[DemoPost]) -> None:
    roots = [
        p
        for p in posts
        if p.channel == "x" and p.public and not p.reply_to and kind_of(p.scenario) != "indirect"
    ]
    assert all("@" + BRAND_HANDLE in p.text.lower() for p in roots)


# --------------------------------------------------------------------------- time


def test_nights_are_quieter_than_lunchtime_and_evening(posts: list[DemoPost]) -> None:
    by_hour = Counter(p.created_at.hour for p in posts)
    night = sum(by_hour[h] for h in range(1, 6)) / 5
    lunch = (by_hour[12] + by_hour[13]) / 2
    evening = (by_hour[19] + by_hour[20]) / 2
    assert lunch > 3 * night
    assert evening > 3 * night


def test_there_is_one_complaint_spike_about_two_days_before_now(posts: list[DemoPost]) -> None:
    topic = [p for p in posts if p.scenario == SPIKE_SCENARIO]
    window = timedelta(hours=3)
    best, best_start, j = 0, topic[0].created_at, 0
    for i, post in enumerate(topic):
        while topic[j].created_at <= post.created_at - window:
            j += 1
        if i - j + 1 > best:
            best, best_start = i - j + 1, topic[j].created_at
    average = len(topic) / (14 * 24 / 3)
    assert best >= 10 * average
    assert NOW - timedelta(days=3) <= best_start <= NOW - timedelta(days=1, hours=12)

    in_spike = [p for p in topic if best_start <= p.created_at < best_start + window]
    authors = {(p.channel, p.author_id) for p in in_spike}
    assert len(authors) >= 0.9 * len(in_spike)  # many different people


def test_outside_the_spike_no_three_hours_hold_so_many_complaints(posts: list[DemoPost]) -> None:
    complaints: defaultdict[int, int] = defaultdict(int)
    for post in posts:
        if post.scenario == SPIKE_SCENARIO:
            bucket = int(post.created_at.timestamp() // (3 * 3600))
            complaints[bucket] += 1
    ranked = sorted(complaints.values(), reverse=True)
    assert ranked[0] > 4 * ranked[2]  # one (possibly split over two buckets) spike, not several
