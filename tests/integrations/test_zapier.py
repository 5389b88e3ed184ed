"""The Zapier integration (integrations/zapier, a Zapier Platform CLI app) against a real PolyCMS: gunicorn on a
database of its own (PostgreSQL when the suite runs on it), a ``manage.py worker`` delivering webhooks to the JS
test's local receiver, a superuser's all-abilities token and a revoked one. ``npm test`` there runs the app's own
tests (node:test, zapier-platform-core's createAppTester; integrations/zapier/test/). Needs Node.js and npm
(``make test`` runs ``npm ci`` there first)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import _counts_as_missing_part
from tests.live import ROOT, Gunicorn, django_env, live_database, manage, shell_plaintext, superuser_token
from tests.node import needs_node, npm_installed
from tools.processes import stop

PROJECT = ROOT / "integrations" / "zapier"
NEEDED_FOR = "the Zapier integration's tests"


@pytest.fixture(scope="module")
def npm() -> str:
    return npm_installed(PROJECT, NEEDED_FOR)


def revoked_token(env: dict[str, str], secret_file: Path, username: str) -> str:
    """A token of ``username``'s, revoked: what a Zap holds after its owner revoked it in the admin."""
    script = (
        "from django.contrib.auth import get_user_model\n"
        "from tokens.services import token_create, token_revoke\n"
        f"user = get_user_model().objects.get(username={username!r})\n"
        "token, plaintext = token_create(owner=user, name='zapier revoked')\n"
        "token_revoke(token=token, by=user)\n"
    )
    return shell_plaintext(env, secret_file, script)


def test_the_zapier_app_against_a_live_server(npm: str, tmp_path: Path):
    with live_database("zapier", tmp_path) as database_url:
        env = django_env(
            DATABASE_URL=database_url,
            DJANGO_STATIC_ROOT=str(tmp_path / "static"),
            POLYCMS_WEBHOOKS_ALLOW_HTTP="1",  # the JS test's receiver: http://127.0.0.1:<port>
            POLYCMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS="1",
        )
        manage(env, "migrate", "--noinput")
        token = superuser_token(env, tmp_path / "token", "zapier-admin")
        revoked = revoked_token(env, tmp_path / "revoked", "zapier-admin")
        server = Gunicorn(env, log_file=tmp_path / "gunicorn.log").start(workers=2)
        worker_log = (tmp_path / "worker.log").open("ab")
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--interval", "0.1", "--no-startup-delay"],
            cwd=ROOT,
            env=env,
            stdout=worker_log,
            stderr=subprocess.STDOUT,
        )
        try:
            test_env = {
                **os.environ,
                "POLYCMS_URL": server.url,
                "POLYCMS_TOKEN": token,
                "POLYCMS_REVOKED_TOKEN": revoked,
            }
            result = subprocess.run(
                [npm, "test"], cwd=PROJECT, env=test_env, capture_output=True, text=True, timeout=240
            )
            output = result.stdout + result.stderr
            assert result.returncode == 0, (
                f"npm test failed ({result.returncode}):\n{output[-6000:]}\n"
                f"gunicorn:\n{server.log()[-2000:]}\nworker:\n{(tmp_path / 'worker.log').read_text()[-2000:]}"
            )
            assert "# fail 0" in output and "# SKIP" not in output and "# skipped 0" in output, output[-3000:]
        finally:
            stop(worker)
            worker_log.close()
            server.stop()


def test_a_skip_for_want_of_node_fails_ci():
    assert _counts_as_missing_part(needs_node(NEEDED_FOR))  # CI sets POLYCMS_REQUIRE_ALL_PARTS=1
