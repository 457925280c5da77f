from __future__ import annotations

import pytest
from django.test import Client

from careline.accounts.models import User
from careline.inbox.models import Channel

pytestmark = pytest.mark.django_db

URL = "/settings/channels/new/"
FACEBOOK = {
    "platform": "facebook",
    "name": "shop-fb",
    "app_secret": "s3cr3t",
    "page_access_token": "page-token",
    "page_id": "104738291234567",
}


def test_an_admin_connects_a_facebook_page_and_sees_its_webhook_and_verify_token(
    client: Client, admin_user: User
) -> None:
    client.force_login(admin_user)

    form = client.get(URL, {"platform": "facebook"})
    done = client.post(URL, FACEBOOK)

    assert form.status_code == 200
    assert b'type="password"' in form.content
    assert done.status_code == 200
    channel = Channel.objects.get()
    assert (channel.name, channel.platform, channel.external_id) == (
        "shop-fb",
        "facebook",
        "104738291234567",
    )
    page = done.content.decode()
    assert "http://127.0.0.1:8000/hooks/meta/shop-fb" in page
    assert channel.credentials["verify_token"] in page
    assert "s3cr3t" not in page  # given secrets are never shown back


def test_missing_credentials_are_refused_and_nothing_is_stored(
    client: Client, admin_user: User
) -> None:
    client.force_login(admin_user)

    response = client.post(URL, {**FACEBOOK, "page_id": ""})

    assert response.status_code == 400
    assert b"This field is required." in response.content
    assert Channel.objects.count() == 0


@pytest.mark.parametrize("persona", ["agent", "supervisor"])
def test_only_admins_connect_channels(
    client: Client, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))

    assert client.get(URL, {"platform": "facebook"}).status_code == 403
    assert client.post(URL, FACEBOOK).status_code == 403
    assert Channel.objects.count() == 0


def test_anonymous_visitors_are_sent_to_log_in(client: Client, db: None) -> None:
    response = client.post(URL, FACEBOOK)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert Channel.objects.count() == 0
