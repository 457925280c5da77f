from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from careline.accounts.models import User
from careline.cases.models import Conversation
from careline.demo.seeding import ensure_channels
from careline.escalations.models import NotificationTarget
from careline.escalations.services import current_rules
from careline.inbox.models import Channel, Message
from careline.replies.models import OutboundMessage
from careline.workflow.rules import Notify

pytestmark = pytest.mark.django_db


def test_demo_data_loads_people_channels_and_traffic_once() -> None:
    out = StringIO()

    call_command("demo_data", items=2000, seed=3, stdout=out)

    assert Message.objects.filter(direction="in").count() == 2000
    assert set(Channel.objects.values_list("platform", flat=True)) == {
        "x",
        "facebook",
        "instagram",
        "messenger",
        "generic",
    }
    for username, role in (("agent", "agent"), ("supervisor", "supervisor"), ("admin", "admin")):
        user = authenticate(username=username, password="demo")
        assert isinstance(user, User)
        assert user.role == role
    assert Conversation.objects.filter(status="resolved").count() == 150
    assert OutboundMessage.objects.count() == 150
    assert Conversation.objects.filter(assignee__isnull=False).count() == 190
    assert out.getvalue().startswith("demo data: 2000 items stored (0 already present)")

    again = StringIO()
    call_command("demo_data", items=2000, seed=3, stdout=again)

    assert again.getvalue().strip() == "demo data: already loaded; nothing added."
    assert Message.objects.filter(direction="in").count() == 2000


def test_with_a_fake_platform_the_demo_channels_speak_to_it(settings) -> None:
    settings.CARELINE_FAKE_PLATFORM_URL = "http://127.0.0.1:8001"

    channels = ensure_channels()

    facebook = channels["facebook"]
    assert facebook.external_id == "104738291234567"
    assert facebook.credentials["graph_host"] == "http://127.0.0.1:8001/graph"
    assert channels["x"].credentials["api_base"] == "http://127.0.0.1:8001/x/2"
    polled = dict(
        Channel.objects.filter(platform__in=["mastodon", "bluesky"]).values_list(
            "platform", "external_id"
        )
    )
    assert polled == {
        "mastodon": "109000000000000001",
        "bluesky": "did:plc:larkspurhomefakeplatform",
    }


def test_the_demo_notifies_by_e_mail_every_name_its_rules_notify() -> None:
    call_command("demo_data", items=50, seed=3, stdout=StringIO())

    rules = current_rules()
    notified = {
        (action.channel, action.to)
        for rule in rules
        for action in rule.actions
        if isinstance(action, Notify)
    }
    targets = {(t.channel, t.name, tuple(t.emails)) for t in NotificationTarget.objects.all()}

    assert {channel for channel, _ in notified} == {"email"}
    assert targets == {("email", name, (f"{name}@demo.careline.example",)) for _, name in notified}
