"""Fixtures for the token admin and commands: staff users, a token manager, a manage.py runner."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import load_command_class
from django.db import connections


@pytest.fixture
def grant() -> Callable[..., User]:
    """``grant(user, "app.codename", ...)`` adds the permissions and returns the user."""

    def add(user: User, *perms: str) -> User:
        for perm in perms:
            app_label, codename = perm.split(".")
            user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        return user

    return add


@pytest.fixture
def staff_member(make_user) -> User:
    """Staff with no particular permission: enough to manage their own tokens (tokens.policies)."""
    return make_user("stella", is_staff=True)


@pytest.fixture
def token_manager(make_user, grant) -> User:
    """Staff who may also see and revoke everyone's tokens."""
    return grant(make_user("tom", is_staff=True), "tokens.revoke_any_token")


@pytest.fixture
def manage(monkeypatch, capsys) -> Callable[..., tuple[int, str, str]]:
    """Run a tokens command the way ``manage.py`` does (argv parsing, CommandError -> stderr + exit code);
    returns ``(exit_code, stdout, stderr)``."""
    # manage.py closes the connections when a command ends; the test's transaction must outlive it.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run(name: str, *args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            load_command_class("tokens", name).run_from_argv(["manage.py", name, *args, "--skip-checks"])
            code = 0
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err

    return run
