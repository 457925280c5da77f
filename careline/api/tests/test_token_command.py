"""``careline token USER [--revoke]``."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from careline.accounts.models import ApiToken, User
from careline.accounts.services import issue_api_token
from careline.cli import main

from .support import BASE

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def status_with(client: Client, token: str) -> int:
    response = client.get(f"{BASE}/conversations", headers={"Authorization": f"Bearer {token}"})
    return response.status_code


def test_it_prints_only_a_new_token_and_the_token_authenticates(
    client: Client, agent: User
) -> None:
    out, err = run("alice")

    token = out.strip()
    assert out == token + "\n"
    assert err == "Keep it now: only its hash is stored.\n"
    stored = ApiToken.objects.get()
    assert (stored.user, stored.prefix, stored.token_hash) == (
        agent,
        token[:10],
        ApiToken.hash(token),
    )
    assert token.startswith("cl_")
    assert status_with(client, token) == 200


def test_each_call_prints_a_different_token(agent: User) -> None:
    first, _ = run("alice")
    second, _ = run("alice")

    assert first != second
    assert ApiToken.objects.filter(user=agent, revoked_at__isnull=True).count() == 2


def test_an_unknown_user_is_an_error_and_no_token_is_made(agent: User) -> None:
    with pytest.raises(CommandError, match=r"^no user named 'bob'$"):
        run("bob")

    assert ApiToken.objects.count() == 0


def test_an_inactive_user_gets_no_token(agent: User) -> None:
    User.objects.filter(pk=agent.pk).update(is_active=False)

    with pytest.raises(CommandError, match=r"^alice is not active; a token would not work$"):
        run("alice")

    assert ApiToken.objects.count() == 0


def test_revoke_revokes_every_token_of_the_user_and_only_theirs(
    client: Client, agent: User, supervisor: User
) -> None:
    first, second = issue_api_token(agent), issue_api_token(agent)
    sams = issue_api_token(supervisor)

    out, _ = run("alice", "--revoke")

    assert out == "revoked 2 tokens of alice\n"
    assert (status_with(client, first), status_with(client, second)) == (401, 401)
    assert status_with(client, sams) == 200


def test_revoking_a_user_with_one_token_says_token(agent: User) -> None:
    issue_api_token(agent)

    out, _ = run("alice", "--revoke")

    assert out == "revoked 1 token of alice\n"


def test_revoke_for_an_unknown_user_is_an_error(agent: User) -> None:
    with pytest.raises(CommandError, match=r"^no user named 'bob'$"):
        run("bob", "--revoke")


def test_the_careline_command_runs_it(
    client: Client, agent: User, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A command run from the command line closes the database connections when it ends;
    # here that connection holds the test's transaction.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)

    assert main(["token", "alice"]) == 0

    token = capsys.readouterr().out.strip()
    assert status_with(client, token) == 200
