"""createtoken, revoketoken and prunetokens, run as manage.py runs them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
from rest_framework.test import APIClient

from tests import live
from tokens import crypto
from tokens.models import PersonalAccessToken
from tokens.services import token_revoke

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def user_endpoint_status(plaintext: str) -> int:
    return APIClient().get("/api/v1/user", HTTP_AUTHORIZATION=f"Bearer {plaintext}").status_code


# ------------------------------------------------------------------------------ createtoken


def test_createtoken_prints_only_the_plaintext_and_it_authenticates(manage, user):
    code, out, err = manage("createtoken", "alice", "--name", "Deploy script")

    assert code == 0
    plaintext = out.removesuffix("\n")
    assert crypto.is_well_formed(plaintext)
    assert plaintext not in err
    assert "Deploy script" in err
    token = PersonalAccessToken.objects.get()
    assert (token.owner, token.name, token.abilities, token.expires_at) == (user, "Deploy script", ["*"], None)
    assert user_endpoint_status(plaintext) == HTTPStatus.OK


def test_createtoken_sets_abilities_and_expiry(manage, user, frozen):
    code, _, _ = manage(
        "createtoken", "alice", "--name", "CI", "--abilities", "user:read,posts:read", "--expires-in", "30"
    )

    assert code == 0
    token = PersonalAccessToken.objects.get()
    assert token.abilities == ["posts:read", "user:read"]
    assert token.expires_at == NOW + timedelta(days=30)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["nobody", "--name", "CI"], "No user named 'nobody'."),
        (["alice", "--name", "CI", "--abilities", "posts:delete"], "abilities: Unknown abilities: posts:delete."),
        (["alice", "--name", "Taken"], "name: You already have an active token with this name."),
        (["alice", "--name", " "], "name: A token needs a name"),
        (["alice", "--name", "CI", "--expires-in", "0"], "--expires-in must be at least 1 day."),
    ],
)
def test_createtoken_errors_go_to_stderr_with_a_failing_exit(manage, user, make_token, args, error):
    make_token(user, name="Taken")

    code, out, err = manage("createtoken", *args)

    assert code != 0
    assert out == ""
    assert error in err
    assert PersonalAccessToken.objects.count() == 1


def test_createtoken_requires_a_name(manage, user):
    code, out, err = manage("createtoken", "alice")

    assert code != 0
    assert out == ""
    assert "--name" in err
    assert not PersonalAccessToken.objects.exists()


# ------------------------------------------------------------------------------ revoketoken


def test_revoketoken_revokes_one_token_by_id(manage, user, make_token):
    token, plaintext = make_token(user)
    _, other_plaintext = make_token(user, name="other")

    code, out, _ = manage("revoketoken", str(token.pk))

    assert (code, out) == (0, "Revoked 1 token.\n")
    assert user_endpoint_status(plaintext) == HTTPStatus.UNAUTHORIZED
    assert user_endpoint_status(other_plaintext) == HTTPStatus.OK


def test_revoketoken_on_a_revoked_token_revokes_nothing(manage, user, make_user, make_token):
    token, _ = make_token(user)
    token_revoke(token=token, by=user)

    code, out, _ = manage("revoketoken", str(token.pk))

    assert (code, out) == (0, "Revoked 0 tokens.\n")
    token.refresh_from_db()
    assert token.revoked_by == user


def test_revoketoken_user_revokes_all_of_that_users_tokens(manage, user, make_user, make_token):
    mine = [make_token(user, name="one")[1], make_token(user, name="two")[1]]
    _, bobs = make_token(make_user("bob"))

    code, out, _ = manage("revoketoken", "--user", "alice")

    assert (code, out) == (0, "Revoked 2 tokens.\n")
    assert [user_endpoint_status(p) for p in mine] == [HTTPStatus.UNAUTHORIZED] * 2
    assert user_endpoint_status(bobs) == HTTPStatus.OK


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["999"], "No token with id 999."),
        (["--user", "nobody"], "No user named 'nobody'."),
        ([], "one of the arguments ID --user is required"),
        (["1", "--user", "alice"], "not allowed with argument ID"),
    ],
)
def test_revoketoken_errors_go_to_stderr_with_a_failing_exit(manage, user, make_token, args, error):
    make_token(user)

    code, out, err = manage("revoketoken", *args)

    assert code != 0
    assert out == ""
    assert error in err
    assert not PersonalAccessToken.objects.revoked().exists()


# ------------------------------------------------------------------------------ prunetokens


def test_prunetokens_deletes_only_tokens_that_ended_before_the_cutoff(manage, user, make_token, time_machine):
    time_machine.move_to(NOW - timedelta(days=40), tick=False)
    old_revoked, _ = make_token(user, name="old revoked")
    token_revoke(token=old_revoked, by=user)
    make_token(user, name="old expired", expires_at=NOW - timedelta(days=31))
    never_expires, _ = make_token(user, name="never expires")
    time_machine.move_to(NOW - timedelta(days=10), tick=False)
    recently_revoked, _ = make_token(user, name="recently revoked")
    token_revoke(token=recently_revoked, by=user)
    recently_expired, _ = make_token(user, name="recently expired", expires_at=NOW - timedelta(days=5))
    time_machine.move_to(NOW, tick=False)
    active, _ = make_token(user, name="active", expires_at=NOW + timedelta(days=1))

    code, out, _ = manage("prunetokens", "--days", "30")

    assert (code, out) == (0, "Deleted 2 tokens revoked or expired over 30 days ago.\n")
    assert set(PersonalAccessToken.objects.all()) == {never_expires, recently_revoked, recently_expired, active}


def test_prunetokens_refuses_a_negative_age(manage, user, make_token):
    token, _ = make_token(user)
    token_revoke(token=token, by=user)

    code, _, err = manage("prunetokens", "--days", "-1")

    assert code != 0
    assert "--days cannot be negative." in err
    assert PersonalAccessToken.objects.exists()


def test_createtoken_stdout_is_the_token_alone_in_a_real_process(tmp_path):
    """As a shell script captures it: TOKEN=$(manage.py createtoken …). Audit log lines (JSON on stdout
    for servers) must go to stderr here."""
    env = live.django_env(DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}")
    live.manage(env, "migrate", "-v", "0")
    live.manage(
        env,
        "shell",
        "-v",
        "0",
        "-c",
        "from django.contrib.auth.models import User; User.objects.create(username='cli')",
    )
    out = live.manage(env, "createtoken", "cli", "--name", "Deploy script")
    assert crypto.is_well_formed(out.removesuffix("\n"))
