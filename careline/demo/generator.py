"""Deterministic synthetic social-media traffic for demos and benchmarks.

``generate(items=..., seed=..., now=...)`` returns customer posts addressed to (or about)
the fictional shop *Larkspur Home* over the 14 days before ``now``: complaints, questions,
praise, suggestions, spam, trolls, offensive posts, posts leaking private data and
indirect mentions, on X, Facebook, Instagram and Messenger, with threads, returning
customers, a day/night rhythm and one complaint spike (the checkout charging people twice,
about two days before ``now``).

Plain Python on purpose: no Django, no I/O, no global random state. The same
``(items, seed, now)`` always gives the same list.
"""

from __future__ import annotations

import base64
import math
import random
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from string import Formatter
from typing import TypeVar

from careline.demo import phrases as P

CHANNELS: tuple[str, ...] = ("x", "facebook", "instagram", "messenger")
BRAND_NAME = "Larkspur Home"
BRAND_HANDLE = "larkspurhome"
# Facebook ids are "<page id>_<object id>"; the demo page's id.
FACEBOOK_PAGE_ID = "104857392016473"

WINDOW = timedelta(days=14)

# Target share of each kind; a post's kind is the part of its scenario before "/".
KIND_WEIGHTS: Mapping[str, float] = {
    "complaint": 0.40,
    "question": 0.20,
    "compliment": 0.12,
    "suggestion": 0.08,
    "spam": 0.06,
    "troll": 0.05,
    "offensive": 0.02,
    "private": 0.03,
    "indirect": 0.04,
}
CHANNEL_WEIGHTS: Mapping[str, float] = {
    "x": 0.40,
    "facebook": 0.25,
    "instagram": 0.20,
    "messenger": 0.15,
}

# The spike: many different customers charged twice at checkout within ~3 hours.
SPIKE_SCENARIO = "complaint/double_charge"
SPIKE_SHARE = 0.025
SPIKE_DURATION = timedelta(hours=3)
SPIKE_MIN_ITEMS = 40

__all__ = [
    "BRAND_HANDLE",
    "BRAND_NAME",
    "CHANNELS",
    "CHANNEL_WEIGHTS",
    "FACEBOOK_PAGE_ID",
    "KIND_WEIGHTS",
    "SPIKE_SCENARIO",
    "WINDOW",
    "DemoPost",
    "generate",
    "kind_of",
]


@dataclass(frozen=True, slots=True)
class DemoPost:
    channel: str  # one of CHANNELS
    external_id: str  # unique within its channel
    author_id: str  # platform user id, stable per synthetic person per channel
    author_handle: str
    author_name: str
    text: str
    created_at: datetime  # timezone-aware UTC
    public: bool  # False for direct messages
    reply_to: str | None  # external_id of an earlier post in the same channel
    scenario: str  # e.g. "complaint/late_delivery"; for tests and docs only


def kind_of(scenario: str) -> str:
    """The kind of a scenario: ``"complaint/late_delivery"`` -> ``"complaint"``."""
    return scenario.partition("/")[0]


def generate(*, items: int, seed: int, now: datetime) -> list[DemoPost]:
    """Return exactly `items` posts sorted by created_at, all before `now`.

    The same (items, seed, now) always gives identical output.
    """
    if items < 0:
        raise ValueError("items must be >= 0")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return _Builder(seed, now.astimezone(UTC)).run(items)


# --------------------------------------------------------------------------- templates

_Template = tuple[str, tuple[str, ...]]
_T = TypeVar("_T")
_FORMATTER = Formatter()


def _prep(texts: Sequence[str]) -> tuple[_Template, ...]:
    out = []
    for text in texts:
        fields = tuple(dict.fromkeys(f for _, f, _, _ in _FORMATTER.parse(text) if f))
        out.append((text, fields))
    return tuple(out)


def _prep_map(groups: Mapping[str, Sequence[str]]) -> dict[str, tuple[_Template, ...]]:
    return {key: _prep(texts) for key, texts in groups.items()}


_COMPLAINTS = _prep_map(P.COMPLAINTS)
_SARCASTIC = _prep_map(P.SARCASTIC)
_SPIKE = _prep(P.SPIKE_TEMPLATES)
_SPIKE_PILE_ONS = _prep(P.SPIKE_PILE_ONS)
_ANGRY = _prep(P.ANGRY_ADDONS)
_CHURN = _prep(P.CHURN_ADDONS)
_LEGAL = _prep(P.LEGAL_ADDONS)
_ASK = _prep(P.ASK_ADDONS)
_FOLLOWUPS = _prep(P.FOLLOWUPS)
_TOPIC_FOLLOWUPS = _prep_map(P.TOPIC_FOLLOWUPS)
_DM_FOLLOWUPS = _prep(P.DM_FOLLOWUPS)
_PILE_ONS = _prep(P.PILE_ONS)
_TOPIC_PILE_ONS = _prep_map(P.TOPIC_PILE_ONS)
_QUESTIONS = _prep_map(P.QUESTIONS)
_QUESTION_FOLLOWUPS = _prep(P.QUESTION_FOLLOWUPS)
_QUESTION_PILE_ONS = _prep(P.QUESTION_PILE_ONS)
_COMPLIMENTS = _prep_map(P.COMPLIMENTS)
_COMPLIMENT_AGREE = _prep(P.COMPLIMENT_AGREE)
_COMPLIMENT_RESOLVED = _prep(P.COMPLIMENT_RESOLVED)
_SUGGESTIONS = _prep_map(P.SUGGESTIONS)
_SUGGESTION_PILE_ONS = _prep(P.SUGGESTION_PILE_ONS)
_SPAM = _prep_map(P.SPAM)
_TROLLS = _prep_map(P.TROLLS)
_TROLL_REPLIES = _prep(P.TROLL_REPLIES)
_OFFENSIVE = _prep_map(P.OFFENSIVE)
_CARD_PUBLIC = _prep(P.CARD_PUBLIC)
_CARD_PRIVATE = _prep(P.CARD_PRIVATE)
_PASSWORD_PRIVATE = _prep(P.PASSWORD_PRIVATE)
_CONTACT_PUBLIC = _prep(P.CONTACT_PUBLIC)
_CONTACT_PRIVATE = _prep(P.CONTACT_PRIVATE)
_PRIVATE_LEADS = _prep(P.PRIVATE_LEADS)
_INDIRECT = _prep_map(P.INDIRECT)

# All prepared template groups, so tests can check every slot is known.
ALL_TEMPLATES: tuple[_Template, ...] = tuple(
    t
    for group in (
        *_COMPLAINTS.values(),
        *_SARCASTIC.values(),
        _SPIKE,
        _SPIKE_PILE_ONS,
        _ANGRY,
        _CHURN,
        _LEGAL,
        _ASK,
        _FOLLOWUPS,
        *_TOPIC_FOLLOWUPS.values(),
        _DM_FOLLOWUPS,
        _PILE_ONS,
        *_TOPIC_PILE_ONS.values(),
        *_QUESTIONS.values(),
        _QUESTION_FOLLOWUPS,
        _QUESTION_PILE_ONS,
        *_COMPLIMENTS.values(),
        _COMPLIMENT_AGREE,
        _COMPLIMENT_RESOLVED,
        *_SUGGESTIONS.values(),
        _SUGGESTION_PILE_ONS,
        *_SPAM.values(),
        *_TROLLS.values(),
        _TROLL_REPLIES,
        *_OFFENSIVE.values(),
        _CARD_PUBLIC,
        _CARD_PRIVATE,
        _PASSWORD_PRIVATE,
        _CONTACT_PUBLIC,
        _CONTACT_PRIVATE,
        _PRIVATE_LEADS,
        *_INDIRECT.values(),
    )
    for t in group
)


def _cum(weights: Sequence[float]) -> list[float]:
    total = sum(weights)
    cum = [w / total for w in accumulate(weights)]
    cum[-1] = 1.0
    return cum


def _weighted(keys: Sequence[str], weights: Sequence[float]) -> tuple[tuple[str, ...], list[float]]:
    return tuple(keys), _cum(weights)


_QUESTION_SUBS = _weighted(
    (
        "sizing",
        "delivery_options",
        "stock",
        "order_status",
        "returns",
        "product_info",
        "discount",
        "cancel_order",
        "change_address",
        "invoice",
    ),
    (0.18, 0.16, 0.12, 0.12, 0.10, 0.14, 0.07, 0.05, 0.04, 0.02),
)
_COMPLIMENT_SUBS = _weighted(
    ("fast_delivery", "product_quality", "helpful_staff", "packaging", "general"),
    (0.25, 0.35, 0.15, 0.08, 0.17),
)
_COMPLAINT_SUBS = _weighted(P.COMPLAINT_TOPICS, P.COMPLAINT_TOPIC_WEIGHTS)
_TROLL_SUBS = _weighted(("mockery", "bait"), (0.6, 0.4))
_OFFENSIVE_SUBS = _weighted(("profanity", "insult_staff", "threat"), (0.5, 0.3, 0.2))
_SPAM_SUBS = _weighted(("crypto", "followers", "links"), (0.4, 0.25, 0.35))
_INDIRECT_SUBS = _weighted(("complaint", "praise", "question", "chatter"), (0.35, 0.25, 0.2, 0.2))
_SUGGESTION_SUBS = _weighted(tuple(P.SUGGESTIONS), (0.25, 0.2, 0.2, 0.1, 0.12, 0.13))
_PRIVATE_PUBLIC_SUBS = _weighted(("card_number", "contact"), (0.5, 0.5))
_PRIVATE_DM_SUBS = _weighted(("card_number", "password", "contact"), (0.4, 0.35, 0.25))

# Share of posts of a kind that reply to an earlier post, public and in direct messages.
_REPLY_PUBLIC: Mapping[str, float] = {
    "complaint": 0.27,
    "question": 0.19,
    "compliment": 0.19,
    "suggestion": 0.19,
    "spam": 0.25,
    "troll": 0.35,
    "offensive": 0.25,
    "private": 0.40,
    "indirect": 0.0,
}
_REPLY_PRIVATE: Mapping[str, float] = {
    "complaint": 0.38,
    "question": 0.26,
    "compliment": 0.40,
    "suggestion": 0.18,
    "spam": 0.22,
    "troll": 0.26,
    "offensive": 0.35,
    "private": 0.60,
    "indirect": 0.0,
}
# Share of X posts of a kind sent as direct messages.
_X_PRIVATE: Mapping[str, float] = {
    "complaint": 0.18,
    "question": 0.15,
    "compliment": 0.06,
    "suggestion": 0.05,
    "spam": 0.25,
    "troll": 0.04,
    "offensive": 0.12,
    "private": 0.60,
    "indirect": 0.0,
}
_EMOJI_P: Mapping[str, float] = {
    "complaint": 0.25,
    "question": 0.15,
    "compliment": 0.55,
    "suggestion": 0.25,
    "spam": 0.55,
    "troll": 0.4,
    "offensive": 0.2,
    "private": 0.08,
    "indirect": 0.3,
}
_HASHTAG_P: Mapping[str, float] = {
    "complaint": 0.18,
    "question": 0.05,
    "compliment": 0.3,
    "suggestion": 0.1,
    "spam": 0.5,
    "troll": 0.12,
    "offensive": 0.05,
    "private": 0.0,
    "indirect": 0.3,
}

# Relative traffic per UTC hour: quiet 01-06, peaks at lunch and in the evening.
_HOURLY = (
    0.9, 0.45, 0.25, 0.17, 0.15, 0.2, 0.4, 0.8, 1.1, 1.3, 1.4, 1.6,
    2.1, 2.0, 1.5, 1.4, 1.4, 1.6, 1.9, 2.2, 2.3, 2.0, 1.6, 1.2,
)  # fmt: skip

_INDIRECT_EMOJI: Mapping[str, str] = {
    "complaint": "complaint",
    "praise": "compliment",
    "question": "question",
    "chatter": "indirect",
}
_DISTINCT = (("product2", "product"), ("colour2", "colour"), ("city2", "city"))
# Nobody writes follow-ups forever: past this many posts a person stops continuing threads.
_MAX_THREAD_POSTS = 14
_THREADABLE = ("complaint", "question", "compliment", "suggestion")
_TWITTER_EPOCH_MS = 1_288_834_974_657
_X_MAX = 280
_ORDINALS = ("3rd", "4th", "5th", "6th", "7th")
_ALL_PRODUCTS = P.PRODUCTS + P.ELECTRICALS


def _ascii_lower(name: str) -> str:
    return "".join(ch for ch in name.lower() if "a" <= ch <= "z")


_LOWER: Mapping[str, str] = {n: _ascii_lower(n) for n in P.FIRST_NAMES + P.SURNAMES}


def _luhn_complete(partial: str) -> str:
    """Append the Luhn check digit to `partial`."""
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = ord(ch) - 48
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return partial + str((10 - total % 10) % 10)


def _join(text: str, more: str) -> str:
    """Two sentences, the way people chain them."""
    if text[-1:] in "!?.":
        return f"{text} {more}"
    return f"{text}. {more}"


def _human_duration(seconds: int) -> str:
    if seconds < 2 * 3600:
        return f"{max(seconds // 60, 2)} minutes"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} hours"
    return f"{seconds // 86400} days"


# --------------------------------------------------------------------------- internals


class _Person:
    __slots__ = ("accounts", "first", "handle", "last", "name", "slug")

    def __init__(self, first: str, last: str, name: str, handle: str, slug: str) -> None:
        self.first = first
        self.last = last
        self.name = name
        self.handle = handle
        self.slug = slug
        self.accounts: dict[str, tuple[str, str]] = {}


class _Index:
    """Time-ordered post indices with their timestamps, for picking earlier posts."""

    __slots__ = ("ids", "ts")

    def __init__(self) -> None:
        self.ts: list[int] = []
        self.ids: list[int] = []

    def add(self, ts: int, idx: int) -> None:
        self.ts.append(ts)
        self.ids.append(idx)

    def pick(self, rng: random.Random, ts: int, gap: float) -> int | None:
        """A post from about `gap` seconds before `ts`, always strictly earlier than `ts`."""
        times = self.ts
        if not times:
            return None
        j = bisect_right(times, ts - max(gap, 1.0)) - 1
        if j < 0:
            k = bisect_left(times, ts)
            if k == 0:
                return None
            j = rng.randrange(k)
        elif j > 0 and rng.random() < 0.5:
            j -= rng.randrange(min(j, 6) + 1)
        return self.ids[j]


class _Builder:
    def __init__(self, seed: int, now: datetime) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not security
        self.rand = self.rng.random
        self.now = now
        self.posts: list[DemoPost] = []
        self.person_of: list[int] = []
        self.ts_of: list[int] = []
        self.persons: dict[int, _Person] = {}
        self.used_ids: dict[str, set[str]] = {c: set() for c in CHANNELS}
        self.x_ids: set[int] = set()
        self.mids: set[str] = set()
        self.x_seq = 0
        self.fb_next = 0
        self.ig_next = 0
        self.pub_kind: dict[str, dict[str, _Index]] = {
            c: {k: _Index() for k in _THREADABLE} for c in CHANNELS
        }
        self.pub_human: dict[str, _Index] = {c: _Index() for c in CHANNELS}
        self.dm_human: dict[str, _Index] = {c: _Index() for c in CHANNELS}
        self.dm_bot: dict[str, _Index] = {c: _Index() for c in CHANNELS}
        self.dm_last: dict[str, dict[int, int]] = {c: {} for c in CHANNELS}
        self.spike_public: dict[str, list[int]] = {c: [] for c in CHANNELS}
        self.spike_authors: set[int] = set()
        self.post_count: dict[int, int] = {}
        self.pool = 60
        self.regulars = 8
        self.bots = 10
        self.slots: dict[str, Callable[[], str]] = {
            "a_product": self._a_product,
            "a_product2": self._a_product,
            "amount": self._amount,
            "bedding": lambda: self._choice(P.BEDDING),
            "fee": lambda: self._choice(P.DELIVERY_FEES),
            "furniture": lambda: self._choice(P.FURNITURE),
            "kitchen": lambda: self._choice(P.KITCHENWARE),
            "textile": lambda: self._choice(P.TEXTILES),
            "amount2": self._amount_small,
            "brand": lambda: self._choice(P.BRAND_VARIANTS),
            "card": self._card,
            "city": lambda: self._choice(P.CITIES),
            "city2": lambda: self._choice(P.CITIES),
            "code": lambda: self._choice(P.DISCOUNT_CODES),
            "colour": lambda: self._choice(P.COLOURS),
            "colour2": lambda: self._choice(P.COLOURS),
            "country": lambda: self._choice(P.COUNTRIES),
            "courier": lambda: self._choice(P.COURIERS),
            "cvv": lambda: f"{self._randrange(1000):03d}",
            "day": lambda: self._choice(P.DAYS),
            "day_n": lambda: str(self._randint(3, 9)),
            "drop": lambda: self._choice(P.CURTAIN_DROPS),
            "elapsed": lambda: _human_duration(self._randrange(3 * 3600, 5 * 86400)),
            "electrical": self._electrical,
            "email": self._email,
            "expiry": self._expiry,
            "glass_item": lambda: self._choice(P.GLASS_ITEMS),
            "link": self._link,
            "minutes": lambda: str(self._randint(25, 95)),
            "n_days": lambda: str(self._randint(2, 12)),
            "n_times": lambda: str(self._randint(3, 40)),
            "n_weeks": lambda: str(self._randint(2, 7)),
            "n_years": lambda: str(self._randint(2, 12)),
            "nth": lambda: self._choice(_ORDINALS),
            "order": self._order,
            "password": self._password,
            "phone": self._phone,
            "pin": self._pin,
            "profit": lambda: f"£{self._randrange(8, 90) * 100 + self._choice((0, 0, 50)):,}",
            "product": self._product,
            "product2": self._product,
            "rug_size": lambda: self._choice(P.RUG_SIZES),
            "size": lambda: self._choice(P.SIZES),
            "sized": lambda: self._choice(P.SIZED_ITEMS),
            "staff": lambda: self._choice(P.STAFF_NAMES),
            "surname": lambda: self._choice(P.SURNAMES),
        }

    # ------------------------------------------------------------------ randomness
    # random.Random.choice/randrange are slow; these draw from rng.random() directly.

    def _choice(self, seq: Sequence[_T]) -> _T:
        return seq[int(self.rand() * len(seq))]

    def _randrange(self, a: int, b: int | None = None) -> int:
        if b is None:
            return int(self.rand() * a)
        return a + int(self.rand() * (b - a))

    def _randint(self, a: int, b: int) -> int:
        return a + int(self.rand() * (b - a + 1))

    # ------------------------------------------------------------------ driver

    def run(self, items: int) -> list[DemoPost]:
        if items == 0:
            return []
        rng = self.rng
        self.pool = max(60, int(items * 0.8))
        self.regulars = max(8, items // 40)
        self.bots = max(10, items // 300)
        self.fb_next = rng.randrange(10**15, 3 * 10**15)
        self.ig_next = 17_840_000_000_000_000 + rng.randrange(10**14)

        n_spike = round(items * SPIKE_SHARE) if items >= SPIKE_MIN_ITEMS else 0
        kinds, kind_cum = self._kind_table(items, n_spike)
        channel_cum = self._channel_tables()
        spike_channels = _weighted(CHANNELS, (0.5, 0.3, 0.1, 0.1))

        for ts, spike in self._timeline(items - n_spike, n_spike):
            if spike:
                channel = spike_channels[0][bisect_left(spike_channels[1], rng.random())]
                self._spike_post(ts, channel)
                continue
            kind = kinds[bisect_left(kind_cum, rng.random())]
            ch_keys, ch_cum = channel_cum[kind]
            channel = ch_keys[bisect_left(ch_cum, rng.random())]
            if channel == "messenger":
                public = False
            elif channel == "x":
                public = rng.random() >= _X_PRIVATE[kind]
            else:
                public = True
            if public:
                self._public(kind, ts, channel)
            else:
                self._private(kind, ts, channel)
        return self.posts

    def _kind_table(self, items: int, n_spike: int) -> tuple[tuple[str, ...], list[float]]:
        # The spike's complaints count towards the complaint share.
        rest = items - n_spike
        weights = []
        for kind, w in KIND_WEIGHTS.items():
            target = w * items - (n_spike if kind == "complaint" else 0)
            weights.append(max(target, 0.0) / rest)
        return tuple(KIND_WEIGHTS), _cum(weights)

    def _channel_tables(self) -> dict[str, tuple[tuple[str, ...], list[float]]]:
        # Indirect mentions are public-only (X, Facebook, Instagram); the other kinds
        # make up for it so that the overall channel mix stays on target.
        public_channels = ("x", "facebook", "instagram")
        public_total = sum(CHANNEL_WEIGHTS[c] for c in public_channels)
        share = KIND_WEIGHTS["indirect"]
        indirect = [CHANNEL_WEIGHTS[c] / public_total for c in public_channels]
        others = []
        for c in CHANNELS:
            taken = share * CHANNEL_WEIGHTS[c] / public_total if c in public_channels else 0.0
            others.append((CHANNEL_WEIGHTS[c] - taken) / (1 - share))
        tables = {kind: (CHANNELS, _cum(others)) for kind in KIND_WEIGHTS}
        tables["indirect"] = (public_channels, _cum(indirect))
        return tables

    def _timeline(self, n_normal: int, n_spike: int) -> list[tuple[int, bool]]:
        rng = self.rng
        now_ts = self.now.timestamp()
        hi = math.ceil(now_ts)  # exclusive: every post is strictly before `now`
        lo = math.ceil(now_ts - WINDOW.total_seconds())
        first_hour = lo - lo % 3600
        n_hours = -(-(hi - first_hour) // 3600)
        day_factor = [rng.uniform(0.8, 1.2) for _ in range(n_hours // 24 + 2)]
        weights = []
        for h in range(n_hours):
            start = first_hour + h * 3600
            dt = datetime.fromtimestamp(start, UTC)
            w = _HOURLY[dt.hour] * day_factor[h // 24]
            if dt.weekday() >= 5:
                w *= 0.85
            weights.append(w)
        cum = list(accumulate(weights))
        stamps: list[int] = []
        for h in rng.choices(range(n_hours), cum_weights=cum, k=n_normal):
            ts = first_hour + h * 3600 + self._randrange(3600)
            while not lo <= ts < hi:
                ts = first_hour + rng.choices(range(n_hours), cum_weights=cum)[0] * 3600
                ts += self._randrange(3600)
            stamps.append(ts * 2)

        if n_spike:
            duration = int(SPIKE_DURATION.total_seconds())
            start = int(now_ts) - 2 * 86400 - duration // 2 + int(rng.uniform(-4, 4) * 3600)
            if 1 <= (start // 3600) % 24 < 8:  # not in the middle of the night
                start += 7 * 3600
            for _ in range(n_spike):
                offset = int(rng.triangular(0, duration - 1, duration * 0.3))
                stamps.append((start + offset) * 2 + 1)
        stamps.sort()
        return [(s >> 1, bool(s & 1)) for s in stamps]

    # ------------------------------------------------------------------ people

    def _person(self, idx: int) -> _Person:
        person = self.persons.get(idx)
        if person is None:
            person = self._new_bot() if idx < 0 else self._new_human()
            self.persons[idx] = person
        return person

    def _new_human(self) -> _Person:
        rng = self.rng
        first = self._choice(P.FIRST_NAMES)
        last = self._choice(P.SURNAMES)
        f, s = _LOWER[first], _LOWER[last]
        r = rng.random()
        if r < 0.55:
            name = f"{first} {last}"
        elif r < 0.68:
            name = f"{first} {last[0]}"
        elif r < 0.78:
            name = f"{first} {last}".lower()
        elif r < 0.9:
            name = first + self._choice(P.NAME_DECORATIONS)
        else:
            name = f"{first} {last}{self._choice(P.NAME_DECORATIONS)}"
        nn = str(self._randrange(1, 100))
        pattern = self._randrange(9)
        if pattern == 0:
            handle = f + s
        elif pattern == 1:
            handle = f"{f}_{s}"
        elif pattern == 2:
            handle = f + s + nn
        elif pattern == 3:
            handle = f + s[:1] + nn
        elif pattern == 4:
            handle = f[:1] + s + nn
        elif pattern == 5:
            handle = f"{f}_{self._choice(P.HANDLE_WORDS)}"
        elif pattern == 6:
            handle = self._choice(P.HANDLE_WORDS) + f + nn
        elif pattern == 7:
            handle = f"{f}.{s}"
        else:
            handle = f + str(self._randrange(1965, 2006))
        slug = f"{f}.{s}" + (f".{self._randrange(1, 999)}" if rng.random() < 0.5 else "")
        return _Person(first, last, name, handle, slug)

    def _new_bot(self) -> _Person:
        rng = self.rng
        name = self._choice(P.SPAM_NAMES)
        w1, w2 = self._choice(P.SPAM_HANDLE_WORDS), self._choice(P.SPAM_HANDLE_WORDS)
        handle = f"{w1}{'_' if rng.random() < 0.5 else ''}{w2}{self._randrange(10, 10000)}"
        return _Person("", "", name, handle, f"{w1}.{w2}.{self._randrange(100, 99999)}")

    def _account(self, idx: int, channel: str) -> tuple[_Person, str, str]:
        person = self._person(idx)
        acc = person.accounts.get(channel)
        if acc is None:
            rng = self.rng
            used = self.used_ids[channel]
            while True:
                if channel == "x":
                    if rng.random() < 0.25:
                        author_id = str(rng.randrange(10**7, 10**10))
                    else:
                        author_id = str(rng.randrange(7 * 10**17, 19 * 10**17))
                elif channel == "instagram":
                    author_id = str(rng.randrange(10**16, 10**17))
                else:  # facebook and messenger: page-scoped ids
                    author_id = str(rng.randrange(10**15, 10**16))
                if author_id not in used:
                    used.add(author_id)
                    break
            if channel == "x":
                handle = person.handle.replace(".", "_")[:15]
            elif channel == "instagram":
                handle = person.handle[:30]
            else:
                handle = person.slug
            acc = (author_id, handle)
            person.accounts[channel] = acc
        return person, acc[0], acc[1]

    def _pick_human(self) -> int:
        rng = self.rng
        if rng.random() < 0.2:
            return self._randrange(self.regulars)
        return self._randrange(self.pool)

    def _other_human(self, not_this: int) -> int:
        while True:
            idx = self._pick_human()
            if idx != not_this:
                return idx

    def _pick_bot(self) -> int:
        return -1 - self._randrange(self.bots)

    # ------------------------------------------------------------------ ids

    def _external_id(self, channel: str, ts: int) -> str:
        rng = self.rng
        if channel == "x":
            # Snowflake-shaped: milliseconds since the Twitter epoch, worker, sequence.
            self.x_seq = (self.x_seq + 1) & 0xFFF
            ms = max(ts * 1000 + self._randrange(1000) - _TWITTER_EPOCH_MS, 0)
            value = (ms << 22) | (self._randrange(1024) << 12) | self.x_seq
            while value in self.x_ids:
                value += 1
            self.x_ids.add(value)
            return str(value)
        if channel == "facebook":
            self.fb_next += self._randrange(1, 40_000_000)
            return f"{FACEBOOK_PAGE_ID}_{self.fb_next}"
        if channel == "instagram":
            self.ig_next += self._randrange(1, 90_000_000)
            return str(self.ig_next)
        while True:
            mid = "m_" + base64.urlsafe_b64encode(rng.randbytes(48)).decode("ascii")
            if mid not in self.mids:
                self.mids.add(mid)
                return mid

    # ------------------------------------------------------------------ slots

    def _fill(self, template: _Template, extra: Mapping[str, str] | None = None) -> str:
        text, fields = template
        if not fields:
            return text
        slots = self.slots
        values: dict[str, str] = {}
        for f in fields:
            if extra is not None and f in extra:
                values[f] = extra[f]
            else:
                values[f] = slots[f]()
        # "product2"/"colour2"/"city2" must differ from their first mention.
        for second, first in _DISTINCT:
            if second in values:
                while values[second] == values.get(first):
                    values[second] = slots[second]()
        if "a_product2" in values:
            while values["a_product2"] == values.get("a_product"):
                values["a_product2"] = slots["a_product2"]()
        return text.format_map(values)

    def _pick(self, templates: Sequence[_Template]) -> _Template:
        return templates[self._randrange(len(templates))]

    def _sub(self, table: tuple[tuple[str, ...], list[float]]) -> str:
        return table[0][bisect_left(table[1], self.rng.random())]

    def _product(self) -> str:
        full, short = self._choice(_ALL_PRODUCTS)
        return full if self.rng.random() < 0.55 else short

    def _a_product(self) -> str:
        name = self._product()
        return ("an " if name[0] in "AEIOUaeiou" else "a ") + name

    def _electrical(self) -> str:
        full, short = self._choice(P.ELECTRICALS)
        return full if self.rng.random() < 0.5 else short

    def _order(self) -> str:
        rng = self.rng
        n = self._randrange(100_000, 200_000)
        r = rng.random()
        if r < 0.35:
            return f"#LH-{n}"
        if r < 0.55:
            return f"LH-{n}"
        if r < 0.7:
            return f"LH{n}"
        if r < 0.85:
            return f"#{n}"
        return str(n)

    def _amount(self) -> str:
        rng = self.rng
        pounds = int(math.exp(rng.uniform(1.8, 5.8)))
        r = rng.random()
        if r < 0.15:
            return f"£{pounds}"
        return f"£{pounds}.{self._choice(('99', '99', '95', '50', '49', '00'))}"

    def _amount_small(self) -> str:
        return f"£{self._randrange(3, 30)}.{self._choice(('99', '50', '00'))}"

    def _card(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.5:
            prefix, length = "4", 16
        elif r < 0.78:
            prefix, length = str(self._randint(51, 55)), 16
        elif r < 0.86:
            prefix, length = str(self._randint(2221, 2720)), 16
        elif r < 0.94:
            prefix, length = self._choice(("34", "37")), 15
        else:
            prefix, length = "6011", 16
        fill = length - 1 - len(prefix)
        body = prefix + str(self._randrange(10**fill)).zfill(fill)
        number = _luhn_complete(body)
        r = rng.random()
        if length == 15:
            sep = " " if r < 0.6 else ("-" if r < 0.75 else "")
            return sep.join((number[:4], number[4:10], number[10:]))
        if r < 0.45:
            sep = " "
        elif r < 0.65:
            sep = "-"
        elif r < 0.9:
            return number
        else:
            return f"{number[:8]} {number[8:]}"
        return sep.join(number[i : i + 4] for i in range(0, 16, 4))

    def _expiry(self) -> str:
        rng = self.rng
        month = self._randint(1, 12)
        year = self.now.year + self._randint(0, 5)
        if rng.random() < 0.75:
            return f"{month:02d}/{year % 100:02d}"
        return f"{month:02d}/{year}"

    def _password(self) -> str:
        rng = self.rng
        word = self._choice(P.PASSWORD_WORDS)
        r = rng.random()
        if r < 0.3:
            return f"{word}{self._randrange(1960, 2026)}{self._choice('!?#*')}"
        if r < 0.55:
            return f"{word.lower()}{self._randrange(1, 1000)}"
        if r < 0.75:
            return f"{word}_{self._randrange(10, 100)}"
        second = self._choice(P.PASSWORD_WORDS).lower()
        return f"{word}{self._choice('!#$')}{second}{self._randrange(10)}"

    def _pin(self) -> str:
        return f"{self._randrange(10000):04d}"

    def _email_for(self, person: _Person | None) -> str:
        rng = self.rng
        if person is not None and person.first:
            f, s = _LOWER[person.first], _LOWER[person.last]
        else:
            f, s = _LOWER[self._choice(P.FIRST_NAMES)], _LOWER[self._choice(P.SURNAMES)]
        r = rng.random()
        if r < 0.4:
            local = f"{f}.{s}"
        elif r < 0.7:
            local = f"{f}{s}{self._randrange(1, 100)}"
        else:
            local = f"{f[:1]}{s}{self._randrange(60, 100)}"
        return f"{local}@{self._choice(P.EMAIL_DOMAINS)}"

    def _email(self) -> str:
        return self._email_for(None)

    def _phone(self) -> str:
        rng = self.rng
        prefix, lead = self._choice(P.DRAMA_PHONES)
        number = f"{prefix}{lead}{self._randrange(1000):03d}"
        r = rng.random()
        if r < 0.5:
            return number
        if r < 0.75:
            return number.replace(" ", "")
        return "+44 " + number[1:]

    def _link(self) -> str:
        rng = self.rng
        host = (
            self._choice(P.SPAM_LINK_WORDS)
            + self._choice(P.SPAM_LINK_WORDS)
            + str(self._randrange(1, 100))
            + self._choice(P.SPAM_TLDS)
        )
        path = "".join(self._choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(6))
        return ("https://" if rng.random() < 0.5 else "") + f"{host}/{path}"

    # ------------------------------------------------------------------ texts

    def _root_text(self, kind: str, public: bool, person: _Person) -> tuple[str, str, str]:
        """(scenario, text, emoji group) for a post that starts a conversation."""
        rng = self.rng
        if kind == "complaint":
            topic = self._sub(_COMPLAINT_SUBS)
            return (f"complaint/{topic}", *self._complaint_text(topic))
        if kind == "question":
            sub = self._sub(_QUESTION_SUBS)
            text = self._fill(self._pick(_QUESTIONS[sub]))
            if rng.random() < 0.25 and text[:1].islower():
                text = f"{self._choice(P.POLITE_OPENERS)} {text}"
            return f"question/{sub}", text, "question"
        if kind == "compliment":
            sub = self._sub(_COMPLIMENT_SUBS)
            return f"compliment/{sub}", self._fill(self._pick(_COMPLIMENTS[sub])), "compliment"
        if kind == "suggestion":
            sub = self._sub(_SUGGESTION_SUBS)
            return f"suggestion/{sub}", self._fill(self._pick(_SUGGESTIONS[sub])), "suggestion"
        if kind == "spam":
            sub = self._sub(_SPAM_SUBS)
            return f"spam/{sub}", self._fill(self._pick(_SPAM[sub])), "spam"
        if kind == "troll":
            sub = self._sub(_TROLL_SUBS)
            return f"troll/{sub}", self._fill(self._pick(_TROLLS[sub])), "troll"
        if kind == "offensive":
            sub = self._sub(_OFFENSIVE_SUBS)
            return f"offensive/{sub}", self._fill(self._pick(_OFFENSIVE[sub])), "offensive"
        if kind == "private":
            sub = self._sub(_PRIVATE_PUBLIC_SUBS if public else _PRIVATE_DM_SUBS)
            return f"private/{sub}", self._private_text(sub, public, person), "private"
        sub = self._sub(_INDIRECT_SUBS)
        emoji = _INDIRECT_EMOJI[sub]
        return f"indirect/{sub}", self._fill(self._pick(_INDIRECT[sub])), emoji

    def _complaint_text(self, topic: str) -> tuple[str, str]:
        rng = self.rng
        if rng.random() < 0.15:
            return self._fill(self._pick(_SARCASTIC[topic])), "sarcastic"
        text = self._fill(self._pick(_COMPLAINTS[topic]))
        r = rng.random()
        if r < 0.3:  # angry
            if rng.random() < 0.25:
                text = text.upper()
            text = _join(text, self._fill(self._pick(_ANGRY)))
            if rng.random() < 0.5:
                text += "!" * self._randint(1, 3)
        elif r < 0.42 and text[:1].islower():
            text = f"{self._choice(P.POLITE_OPENERS)} {text}"
        r = rng.random()
        if r < 0.12:
            text = _join(text, self._fill(self._pick(_CHURN)))
        elif r < 0.19:
            text = _join(text, self._fill(self._pick(_LEGAL)))
        elif r < 0.45:
            text = _join(text, self._fill(self._pick(_ASK)))
        return text, "complaint"

    def _private_text(self, sub: str, public: bool, person: _Person) -> str:
        if sub == "card_number":
            template = self._pick(_CARD_PUBLIC if public else _CARD_PRIVATE)
        elif sub == "password":
            template = self._pick(_PASSWORD_PRIVATE)
        else:
            template = self._pick(_CONTACT_PUBLIC if public else _CONTACT_PRIVATE)
        extra = {"email": self._email_for(person)} if "email" in template[1] else None
        return self._fill(self._pick(_PRIVATE_LEADS)) + self._fill(template, extra)

    def _followup_text(self, topic: str, elapsed: int, direct: bool) -> str:
        rng = self.rng
        extra = {
            "elapsed": _human_duration(elapsed),
            "day_n": str(elapsed // 86400 + self._randint(2, 5)),
        }
        if rng.random() < 0.35 and topic in _TOPIC_FOLLOWUPS:
            return self._fill(self._pick(_TOPIC_FOLLOWUPS[topic]), extra)
        return self._fill(self._pick(_DM_FOLLOWUPS if direct else _FOLLOWUPS), extra)

    def _style(self, text: str) -> str:
        """Casing and the odd typo, as people actually type."""
        rng = self.rng
        r = rng.random()
        if r < 0.18:
            text = text.lower()
        elif r < 0.55 and text[:1].islower():
            text = text[0].upper() + text[1:]
        if rng.random() < 0.1:
            words = text.split(" ")
            for _ in range(3):
                i = self._randrange(len(words))
                word = words[i]
                if len(word) >= 4 and word.isalpha() and "lark" not in word.lower():
                    j = self._randrange(len(word) - 1)
                    op = rng.random()
                    if op < 0.5:
                        word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
                    elif op < 0.8:
                        word = word[:j] + word[j + 1 :]
                    else:
                        word = word[:j] + word[j] + word[j:]
                    words[i] = word
                    return " ".join(words)
        return text

    def _decorate(self, text: str, kind: str, emoji: str, channel: str) -> str:
        rng = self.rng
        extras = []
        if rng.random() < _EMOJI_P[kind]:
            extras.append(self._choice(P.EMOJI[emoji]) * (2 if rng.random() < 0.15 else 1))
        if channel in ("x", "instagram") and rng.random() < _HASHTAG_P[kind]:
            extras.append(self._choice(P.HASHTAGS[kind if kind in P.HASHTAGS else "complaint"]))
        for extra in extras:
            if channel != "x" or len(text) + 1 + len(extra) <= _X_MAX - 20:
                text = f"{text} {extra}"
        return text

    # ------------------------------------------------------------------ posts

    def _emit(
        self,
        ts: int,
        channel: str,
        public: bool,
        person_idx: int,
        text: str,
        scenario: str,
        parent: int | None,
    ) -> None:
        person, author_id, handle = self._account(person_idx, channel)
        if channel == "x" and len(text) > _X_MAX:
            text = text[: _X_MAX - 1].rsplit(" ", 1)[0] + "…"
        idx = len(self.posts)
        self.posts.append(
            DemoPost(
                channel,
                self._external_id(channel, ts),
                author_id,
                handle,
                person.name,
                text,
                datetime.fromtimestamp(ts, UTC),
                public,
                None if parent is None else self.posts[parent].external_id,
                scenario,
            )
        )
        self.person_of.append(person_idx)
        self.ts_of.append(ts)
        self.post_count[person_idx] = self.post_count.get(person_idx, 0) + 1
        kind = scenario.partition("/")[0]
        if public:
            if kind in _THREADABLE:
                self.pub_kind[channel][kind].add(ts, idx)
            if person_idx >= 0 and kind != "indirect":
                self.pub_human[channel].add(ts, idx)
        else:
            self.dm_last[channel][person_idx] = idx
            (self.dm_bot if person_idx < 0 else self.dm_human)[channel].add(ts, idx)

    def _mention(self, text: str, channel: str, person_idx: int, parent: int | None) -> str:
        """Add @-mentions the way each platform shows them."""
        rng = self.rng
        brand = "@" + BRAND_HANDLE
        if parent is not None and self.person_of[parent] != person_idx:
            other = self.posts[parent]
            if channel == "x":
                lead = f"@{other.author_handle} "
                if rng.random() < 0.6:
                    lead += brand + " "
                return lead + text
            if channel == "instagram" and rng.random() < 0.7:
                return f"@{other.author_handle} {text}"
            if channel == "facebook" and rng.random() < 0.3:
                return f"{other.author_name} {text}"
            return text
        if parent is not None:  # the same author continuing a thread
            return f"{brand} {text}" if channel == "x" and rng.random() < 0.3 else text
        if channel == "x":
            return f"{brand} {text}" if rng.random() < 0.75 else f"{text} {brand}"
        if channel == "instagram" and rng.random() < 0.2:
            return f"{text} {brand}"
        return text

    def _public(self, kind: str, ts: int, channel: str) -> None:
        rng = self.rng
        if rng.random() < _REPLY_PUBLIC[kind] and self._public_reply(kind, ts, channel):
            return
        person_idx = self._pick_bot() if kind == "spam" else self._pick_human()
        scenario, text, emoji = self._root_text(kind, True, self._person(person_idx))
        if kind not in ("private", "spam"):
            text = self._style(text)
        text = self._decorate(text, kind, emoji, channel)
        if kind != "indirect":
            text = self._mention(text, channel, person_idx, None)
        self._emit(ts, channel, True, person_idx, text, scenario, None)

    def _public_reply(self, kind: str, ts: int, channel: str) -> bool:
        rng = self.rng
        indexes = self.pub_kind[channel]
        follow_gap = (
            3600 + rng.expovariate(1 / 36000)
            if rng.random() < 0.5
            else rng.uniform(86400, 5 * 86400)
        )
        pile_gap = 120 + rng.expovariate(1 / 10800)
        emoji = kind
        if kind in ("complaint", "question"):
            own = rng.random() < (0.5 if kind == "complaint" else 0.4)
            parent = indexes[kind].pick(rng, ts, follow_gap if own else pile_gap)
            if parent is None:
                return False
            scenario = self.posts[parent].scenario
            topic = scenario.partition("/")[2]
            if own:
                person_idx = self.person_of[parent]
                if self.post_count[person_idx] >= _MAX_THREAD_POSTS:
                    return False
                if kind == "complaint":
                    text = self._followup_text(topic, ts - self.ts_of[parent], False)
                else:
                    extra = {"elapsed": _human_duration(ts - self.ts_of[parent])}
                    text = self._fill(self._pick(_QUESTION_FOLLOWUPS), extra)
            else:
                person_idx = self._other_human(self.person_of[parent])
                if kind == "question":
                    text = self._fill(self._pick(_QUESTION_PILE_ONS))
                elif rng.random() < 0.5 and topic in _TOPIC_PILE_ONS:
                    text = self._fill(self._pick(_TOPIC_PILE_ONS[topic]))
                else:
                    text = self._fill(self._pick(_PILE_ONS))
        elif kind == "compliment":
            if rng.random() < 0.5:
                parent = indexes["complaint"].pick(rng, ts, follow_gap)
                if parent is None:
                    return False
                person_idx = self.person_of[parent]
                if self.post_count[person_idx] >= _MAX_THREAD_POSTS:
                    return False
                scenario = "compliment/resolved"
                text = self._fill(self._pick(_COMPLIMENT_RESOLVED))
            else:
                parent = indexes["compliment"].pick(rng, ts, pile_gap)
                if parent is None:
                    return False
                person_idx = self._other_human(self.person_of[parent])
                scenario = "compliment/agree"
                text = self._fill(self._pick(_COMPLIMENT_AGREE))
        elif kind == "suggestion":
            parent = indexes["suggestion"].pick(rng, ts, pile_gap)
            if parent is None:
                return False
            person_idx = self._other_human(self.person_of[parent])
            scenario = self.posts[parent].scenario
            text = self._fill(self._pick(_SUGGESTION_PILE_ONS))
        elif kind == "private":
            parent = indexes["complaint"].pick(rng, ts, follow_gap)
            if parent is None:
                return False
            person_idx = self.person_of[parent]
            if self.post_count[person_idx] >= _MAX_THREAD_POSTS:
                return False
            sub = self._sub(_PRIVATE_PUBLIC_SUBS)
            scenario = f"private/{sub}"
            text = self._private_text(sub, True, self._person(person_idx))
        else:  # spam, troll, offensive: answering somebody else's post
            if kind == "troll" and rng.random() < 0.6:
                parent = indexes["complaint"].pick(rng, ts, pile_gap)
            else:
                parent = self.pub_human[channel].pick(rng, ts, pile_gap)
            if parent is None:
                return False
            if kind == "spam":
                person_idx = self._pick_bot()
                scenario, text, emoji = self._root_text(kind, True, self._person(person_idx))
            else:
                person_idx = self._other_human(self.person_of[parent])
                if kind == "troll" and rng.random() < 0.6:
                    scenario = "troll/reply"
                    text = self._fill(self._pick(_TROLL_REPLIES))
                else:
                    scenario, text, emoji = self._root_text(kind, True, self._person(person_idx))
        if kind not in ("private", "spam"):
            text = self._style(text)
        text = self._decorate(text, kind, emoji, channel)
        text = self._mention(text, channel, person_idx, parent)
        self._emit(ts, channel, True, person_idx, text, scenario, parent)
        return True

    def _private(self, kind: str, ts: int, channel: str) -> None:
        rng = self.rng
        bot = kind == "spam"
        index = (self.dm_bot if bot else self.dm_human)[channel]
        parent: int | None = None
        person_idx: int | None = None
        if rng.random() < _REPLY_PRIVATE[kind]:
            m = index.pick(rng, ts, 300 + rng.expovariate(1 / 28800))
            if m is not None and self.post_count[self.person_of[m]] < _MAX_THREAD_POSTS:
                last = self.dm_last[channel][self.person_of[m]]
                if self.ts_of[last] < ts:
                    parent = last
                    person_idx = self.person_of[m]
        elif not bot and rng.random() < 0.25:
            # A returning customer starting a new topic in an existing conversation.
            m = index.pick(rng, ts, rng.uniform(3600, 10 * 86400))
            if m is not None and self.post_count[self.person_of[m]] < _MAX_THREAD_POSTS:
                person_idx = self.person_of[m]
        if person_idx is None:
            person_idx = self._pick_bot() if bot else self._pick_human()
        person = self._person(person_idx)

        emoji = kind
        if parent is None:
            scenario, text, emoji = self._root_text(kind, False, person)
        else:
            parent_scenario = self.posts[parent].scenario
            parent_kind, _, parent_topic = parent_scenario.partition("/")
            if kind == "complaint" and parent_kind == "complaint":
                scenario = parent_scenario
                text = self._followup_text(parent_topic, ts - self.ts_of[parent], True)
            elif kind == "compliment" and parent_kind in ("complaint", "question", "private"):
                scenario = "compliment/resolved"
                text = self._fill(self._pick(_COMPLIMENT_RESOLVED))
            else:
                scenario, text, emoji = self._root_text(kind, False, person)
                if kind == "question" and rng.random() < 0.4:
                    text = self._choice(("also, ", "one more thing - ", "oh and ")) + text
        if kind not in ("private", "spam"):
            text = self._style(text)
        text = self._decorate(text, kind, emoji, channel)
        self._emit(ts, channel, False, person_idx, text, scenario, parent)

    def _spike_post(self, ts: int, channel: str) -> None:
        rng = self.rng
        public = channel != "messenger" and not (channel == "x" and rng.random() < 0.15)
        for _ in range(50):
            person_idx = self._randrange(self.pool)
            if person_idx not in self.spike_authors:
                break
        self.spike_authors.add(person_idx)
        parent = None
        earlier = self.spike_public[channel]
        if public and earlier and rng.random() < 0.3:
            candidate = earlier[-1 - self._randrange(min(len(earlier), 8))]
            if self.ts_of[candidate] < ts:
                parent = candidate
        if parent is None:
            text = self._fill(self._pick(_SPIKE))
            if rng.random() < 0.3:
                text = _join(text, self._fill(self._pick(_ANGRY)))
        else:
            text = self._fill(self._pick(_SPIKE_PILE_ONS))
        text = self._style(text)
        text = self._decorate(text, "complaint", "complaint", channel)
        if public:
            text = self._mention(text, channel, person_idx, parent)
            earlier.append(len(self.posts))
        self._emit(ts, channel, public, person_idx, text, SPIKE_SCENARIO, parent)
