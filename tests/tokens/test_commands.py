"""createtoken, revoketoken and prunetokens, run as manage.py runs them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
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


def test_revoketoken_on_a_revoked_token_fails_and_changes_nothing(manage, user, make_user, make_token):
    token, _ = make_token(user)
    token_revoke(token=token, by=user)

    code, out, err = manage("revoketoken", str(token.pk))

    assert (code, out) == (1, "")
    assert f"Token {token.pk} was already revoked" in err
    assert "nothing was revoked" in err
    token.refresh_from_db()
    assert token.revoked_by == user


def test_revoketoken_user_without_unrevoked_tokens_fails(manage, user, make_token):
    token, _ = make_token(user)
    token_revoke(token=token, by=user)

    code, out, err = manage("revoketoken", "--user", "alice")

    assert (code, out) == (1, "")
    assert "alice has no unrevoked tokens: nothing was revoked." in err


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


def looks_like_tokens(plaintext: str) -> list[str]:
    """What a user may paste instead of an id: the token, a mangled copy, its secret part alone."""
    return [plaintext, plaintext.upper(), plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B"), plaintext[5:]]


def test_revoketoken_refuses_a_token_plaintext_without_echoing_it(manage, user, make_token):
    _, plaintext = make_token(user)

    for pasted in looks_like_tokens(plaintext):
        code, out, err = manage("revoketoken", pasted)

        assert (code, out) == (1, "")
        assert "looks like a token itself, not its id" in err
        assert "GET /api/v1/tokens" in err and "admin" in err
        assert "was not logged" in err
        assert plaintext[5:45].lower() not in err.lower()
    assert user_endpoint_status(plaintext) == HTTPStatus.OK


@pytest.mark.parametrize("argument", ["abc", "1.5", "-3", "\uff11\uff12"])
def test_revoketoken_refuses_an_id_that_is_not_a_number_without_echoing_it(manage, user, make_token, argument):
    make_token(user)

    code, out, err = manage("revoketoken", argument)

    assert (code, out) == (1, "")
    assert "ID must be a token's id, a number" in err
    assert argument not in err
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


# ------------------------------------------------------------------------------ in real processes
# Audit lines are JSON log records on stdout for servers; a command moves them to stderr, so that stdout
# holds only what a person reads or a script captures.


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory) -> dict[str, str]:
    """The environment of ``manage.py`` processes on a migrated SQLite database of this module's own."""
    env = live.django_env(DATABASE_URL=f"sqlite:///{tmp_path_factory.mktemp('cli') / 'cli.db'}")
    live.manage(env, "migrate", "-v", "0")
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=live.ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def new_user_with_token(env: dict[str, str], username: str) -> str:
    """Create ``username`` and a token of theirs with ``createtoken``; returns the plaintext."""
    code = f"from django.contrib.auth.models import User; User.objects.create(username={username!r})"
    live.manage(env, "shell", "-v", "0", "-c", code)
    return live.manage(env, "createtoken", username, "--name", "Deploy script").removesuffix("\n")


def audit_lines(stderr: str) -> list[dict]:
    """The JSON audit records in ``stderr`` (which may also carry system check warnings)."""
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


def test_createtoken_stdout_is_the_token_alone_in_a_real_process(cli_env):
    """As a shell script captures it: TOKEN=$(manage.py createtoken …)."""
    live.manage(
        cli_env, "shell", "-v", "0", "-c", "from django.contrib.auth.models import User; User(username='cli').save()"
    )

    result = run(cli_env, "createtoken", "cli", "--name", "Deploy script")

    assert result.returncode == 0
    assert crypto.is_well_formed(result.stdout.removesuffix("\n"))
    assert [line["event"] for line in audit_lines(result.stderr)] == ["token.created"]
    assert result.stderr.endswith("for cli.\n") and "Created token “Deploy script”" in result.stderr


def test_revoketoken_tells_people_on_stdout_and_audits_on_stderr(cli_env):
    plaintext = new_user_with_token(cli_env, "rita")

    revoked = run(cli_env, "revoketoken", "--user", "rita")
    again = run(cli_env, "revoketoken", "--user", "rita")

    assert (revoked.returncode, revoked.stdout) == (0, "Revoked 1 token.\n")
    assert [line["event"] for line in audit_lines(revoked.stderr)] == ["token.revoked"]
    assert (again.returncode, again.stdout) == (1, "")
    assert again.stderr.endswith("CommandError: rita has no unrevoked tokens: nothing was revoked.\n")
    assert plaintext[5:45] not in revoked.stdout + revoked.stderr + again.stderr


def test_revoketoken_refuses_a_pasted_token_in_a_real_process(cli_env):
    plaintext = new_user_with_token(cli_env, "paula")

    refused = run(cli_env, "revoketoken", plaintext)

    assert (refused.returncode, refused.stdout) == (1, "")
    assert "CommandError: That looks like a token itself, not its id." in refused.stderr
    assert plaintext[5:45].lower() not in refused.stderr.lower()
    assert run(cli_env, "revoketoken", "--user", "paula").stdout == "Revoked 1 token.\n"  # it was left alone


def test_prunetokens_tells_people_on_stdout_and_audits_on_stderr(cli_env):
    new_user_with_token(cli_env, "pete")
    run(cli_env, "revoketoken", "--user", "pete")

    result = run(cli_env, "prunetokens", "--days", "0")

    assert result.returncode == 0
    deleted = re.fullmatch(r"Deleted (\d+) tokens? revoked or expired over 0 days ago\.\n", result.stdout)
    assert deleted and int(deleted[1]) >= 1
    (audit,) = audit_lines(result.stderr)
    assert (audit["event"], audit["count"]) == ("token.pruned", int(deleted[1]))
