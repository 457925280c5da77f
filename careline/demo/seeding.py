"""Fill a database with the demo: teams, users, channels and generated traffic.

Demo users (password ``demo``) exist only here. Re-running adds nothing once the demo
channels hold messages.
"""

from __future__ import annotations

import json
import random
import secrets
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from careline.accounts.models import Role, Team, User
from careline.assignment.models import AgentProfile, TeamRouting
from careline.cases.models import Conversation
from careline.cases.services import CaseActionError, assign_case, transition_case
from careline.cases.workflow import Status
from careline.connectors.base import InboundItem
from careline.demo.generator import CHANNELS, DemoPost, generate
from careline.escalations.models import EscalationRuleSet, NotificationTarget
from careline.escalations.services import save_rules
from careline.fakeplatform.server import channel_credentials
from careline.inbox.models import Channel, Message
from careline.ingestion.services import IngestResult, ingest_items
from careline.replies.services import queue_reply
from careline.workflow.rules import DEFAULT_RULES, rules_to_json

DEMO_PASSWORD = "demo"  # noqa: S105 - documented demo-only password
BATCH = 2000
HISTORY_CASES = 150
# Varied, and each names its case: platforms refuse a post that repeats an earlier one (X does).
HISTORY_REPLIES = (
    "Hi {name}, thanks for telling us. We've looked into it and sent you the details "
    "privately (ref {case}). {agent}",
    "Sorry about this, {name}. It's sorted now, and we've messaged you the details (case {case}).",
    "Thanks for your patience, {name}! We've checked your order and the fix is on its way "
    "(ref {case}). {agent}",
    "{name}, we're sorry it took this long. All fixed; the details are in your messages "
    "(ref {case}).",
)
CHANNEL_NAMES = {
    "x": ("larkspur-x", "@larkspurhome on X"),
    "facebook": ("larkspur-facebook", "Larkspur Home Facebook Page"),
    "instagram": ("larkspur-instagram", "@larkspurhome on Instagram"),
    "messenger": ("larkspur-messenger", "Larkspur Home on Messenger"),
}


@dataclass
class SeedSummary:
    ingest: IngestResult
    channels: int
    users: int
    handled: int
    already_loaded: bool = False


def ensure_people() -> dict[str, User]:
    front, escalations = (
        Team.objects.get_or_create(name="Front line")[0],
        Team.objects.get_or_create(name="Escalations")[0],
    )
    people = {}
    for username, role, first, teams in (
        ("agent", Role.AGENT, "Alex", [front]),
        ("agent2", Role.AGENT, "Maya", [front]),
        ("supervisor", Role.SUPERVISOR, "Sam", [front, escalations]),
        ("admin", Role.ADMIN, "Ada", []),
    ):
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "first_name": first,
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            user.teams.set(teams)
        people[username] = user
    return people


# Skills for automatic assignment (docs/assignment.md): languages and triage topics.
DEMO_SKILLS = {
    "agent": (["en", "de"], ["delivery", "refund_return", "product_quality"]),
    "agent2": (["en", "es"], ["payment_billing", "account_login", "website_app"]),
}


def ensure_assignment(people: dict[str, User]) -> None:
    """Skills and a case limit for the demo agents, and the front line assigning new cases
    automatically (least loaded). After the history is loaded, so only new traffic (from the
    fake platform) is assigned this way. Keeps whatever was already set."""
    for username, (languages, topics) in DEMO_SKILLS.items():
        AgentProfile.objects.get_or_create(
            user=people[username],
            defaults={"languages": languages, "topics": topics, "max_open_cases": 60},
        )
    front = Team.objects.get(name="Front line")
    if not TeamRouting.objects.filter(intake=True).exists():
        TeamRouting.objects.get_or_create(
            team=front, defaults={"auto_assign": True, "intake": True}
        )


def ensure_notifications(people: dict[str, User]) -> None:
    """The default escalation rules with every notification by e-mail, and an e-mail target
    for each name they notify: the demo has no chat workspace, and `make demo` writes the
    e-mails as files to var/mail instead of sending them. Keeps rules someone already saved."""
    if EscalationRuleSet.objects.exists():
        return
    data = json.loads(rules_to_json(DEFAULT_RULES))
    names = set()
    for rule in data["rules"]:
        for action in rule["actions"]:
            if action["type"] == "notify":
                action["channel"] = "email"
                names.add(action["to"])
    save_rules(
        text=json.dumps(data),
        actor=people["supervisor"],
        note="demo: the default rules, notifying by e-mail",
    )
    for name in sorted(names):
        NotificationTarget.objects.get_or_create(
            name=name,
            channel="email",
            defaults={"config": {"emails": [f"{name}@demo.careline.example"]}},
        )


# Account ids of the brand on the fake platform (careline/fakeplatform/config.py).
ACCOUNT_KEYS = {
    "x": "user_id",
    "facebook": "page_id",
    "messenger": "page_id",
    "instagram": "instagram_account_id",
}


def ensure_channels() -> dict[str, Channel]:
    """The demo's channels. With CARELINE_FAKE_PLATFORM_URL set (``make demo`` sets it) they
    speak to the fake platform through the real connectors, so a reply visibly arrives there;
    otherwise they relay replies to the built-in /demo/sink."""
    sink = settings.CARELINE_BASE_URL.rstrip("/") + "/demo/sink"
    fake_url = settings.CARELINE_FAKE_PLATFORM_URL
    fake = channel_credentials(fake_url) if fake_url else {}
    channels = {}
    for platform in CHANNELS:
        name, display = CHANNEL_NAMES[platform]
        channel = Channel.objects.filter(name=name).first()
        if channel is None:
            credentials = fake.get(platform) or {
                "callback_url": sink,
                "callback_secret": secrets.token_hex(16),
            }
            channel = Channel.objects.create(
                name=name,
                platform=platform,
                external_id=credentials.get(ACCOUNT_KEYS[platform], "larkspurhome"),
                display_name=display,
                credentials=credentials,
            )
        channels[platform] = channel
    if not Channel.objects.filter(name="shop-webhook").exists():
        Channel.objects.create(
            name="shop-webhook",
            platform="generic",
            display_name="Shop contact form (generic webhook)",
            credentials=fake.get("generic")
            or {"secret": secrets.token_hex(16), "callback_url": sink},
        )
    for platform, name, display in (
        ("mastodon", "larkspur-mastodon", "@larkspurhome@fake.social"),
        ("bluesky", "larkspur-bluesky", "larkspurhome.fake.social"),
    ):
        if fake and not Channel.objects.filter(name=name).exists():
            # Polled: what is posted on the fake platform's control page arrives within a minute.
            credentials = fake[platform]
            Channel.objects.create(
                name=name,
                platform=platform,
                external_id=credentials.get("account_id") or credentials.get("did", ""),
                display_name=display,
                credentials=credentials,
            )
    return channels


def _as_item(post: DemoPost) -> InboundItem:
    return InboundItem(
        external_id=post.external_id,
        author_id=post.author_id,
        author_handle=post.author_handle,
        author_name=post.author_name,
        text=post.text,
        created_at=post.created_at,
        public=post.public,
        reply_to=post.reply_to or "",
    )


def seed_demo(
    *, items: int, seed: int, now: datetime, on_progress: Callable[[int], None] | None = None
) -> SeedSummary:
    people = ensure_people()
    channels = ensure_channels()
    ensure_notifications(people)
    if Message.objects.filter(channel__in=channels.values()).exists():
        # Loaded before: the generator's ids follow ``now``, so a second run would add a
        # second, overlapping history instead of nothing.
        return SeedSummary(IngestResult(), len(channels), len(people), 0, already_loaded=True)
    by_channel: dict[str, list[InboundItem]] = defaultdict(list)
    for post in generate(items=items, seed=seed, now=now):
        by_channel[post.channel].append(_as_item(post))
    total = IngestResult()
    for platform, posts in by_channel.items():
        for start in range(0, len(posts), BATCH):
            chunk = posts[start : start + BATCH]
            total.add(ingest_items(channels[platform], chunk))
            if on_progress:
                on_progress(len(chunk))
    handled = _handle_older_cases(people, seed=seed, now=now)
    ensure_assignment(people)
    return SeedSummary(total, len(channels), len(people), handled)


def _handle_older_cases(people: dict[str, User], *, seed: int, now: datetime) -> int:
    """Give the demo a history: older cases answered and resolved, some assigned."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    older = list(
        Conversation.objects.filter(status=Status.NEW, last_message_at__lt=now - timedelta(days=2))
        .order_by("id")
        .values_list("id", flat=True)
    )
    rng.shuffle(older)
    agents = [people["agent"], people["agent2"]]
    handled = 0
    for pk in older:
        if handled == HISTORY_CASES:
            break
        case = Conversation.objects.select_related("author").get(pk=pk)
        agent = agents[handled % 2]
        name = (case.author.name if case.author else "") or "there"
        try:
            with transaction.atomic():
                assign_case(case, assignee=agent, actor=people["supervisor"], reason="demo history")
                queue_reply(
                    case,
                    text=HISTORY_REPLIES[handled % len(HISTORY_REPLIES)].format(
                        name=name.split()[0], agent=agent.first_name, case=case.pk
                    ),
                    public=case.visibility == "public",
                    actor=agent,
                )
                transition_case(case, to=Status.RESOLVED, actor=agent, reason="answered (demo)")
        except CaseActionError:
            # The platform would refuse a reply now (a Messenger window long closed): a case
            # the history cannot have answered today. Leave it as it is.
            continue
        handled += 1
    for index, pk in enumerate(
        Conversation.objects.filter(status=Status.NEW, assignee__isnull=True)
        .order_by("-last_message_at")
        .values_list("id", flat=True)[:40]
    ):
        case = Conversation.objects.get(pk=pk)
        assign_case(
            case,
            assignee=agents[index % 2],
            actor=people["supervisor"],
            reason="demo: morning triage",
        )
    return handled
