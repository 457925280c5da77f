from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from careline.accounts.models import User
from careline.inbox.models import Channel

pytestmark = pytest.mark.django_db


def test_credentials_are_encrypted_at_rest(generic_channel: Channel) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM inbox_channel WHERE id = %s", [generic_channel.pk])
        stored = cursor.fetchone()[0]

    assert "s3cret-webhook-key" not in stored
    assert stored.startswith("gAAAA")  # a Fernet token
    assert Channel.objects.get().credentials["secret"] == "s3cret-webhook-key"


def test_an_admin_edits_a_channel_in_the_admin_site(
    client: Client, admin_user: User, generic_channel: Channel
) -> None:
    User.objects.filter(pk=admin_user.pk).update(is_staff=True, is_superuser=True)
    client.force_login(admin_user)

    page = client.get(f"/admin/inbox/channel/{generic_channel.pk}/change/")

    assert page.status_code == 200
    assert "s3cret-webhook-key" in page.content.decode()


def test_an_agent_cannot_open_the_admin_site(
    client: Client, agent: User, generic_channel: Channel
) -> None:
    client.force_login(agent)

    page = client.get(f"/admin/inbox/channel/{generic_channel.pk}/change/")

    assert page.status_code == 302
    assert page["Location"].startswith("/admin/login/")
