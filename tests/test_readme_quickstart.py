"""The README's quick start, run as a newcomer runs it: in a clone of the committed HEAD (uncommitted changes
are not in it), a real ``make serve``, then the quick start's other commands in order, parsed from README.md
itself, with the last one's answer checked.

The clone borrows the running venv instead of installing one (its parts linked, and an install marker of its
own so ``make`` never runs pip against it), uses its own SQLite file and ``.env``, and gets none of this
shell's Django, database or make variables. The only changes to the commands: the server's port (``PORT``,
a free one) replaces 8000 in the URL, and ``make superuser`` is answered by the DJANGO_SUPERUSER_*
variables instead of a person.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ADDRESS = "127.0.0.1:8000"  # make serve's HOST and PORT, as the README's commands name them
STARTUP_SECONDS = 60
ANSWER_MARK = "=== the last command answers:"
SHOW_DEBUG = "from django.conf import settings; print(settings.DEBUG)"
# Variables of this shell that would change what a newcomer gets: settings, the suite's own, make's.
FOREIGN_PREFIXES = ("DJANGO_", "POLYCMS_", "DATABASE_", "REDIS_", "PYTEST_", "MAKE", "MFLAGS", "PYTHON")
FOREIGN_NAMES = {"PORT", "HOST", "WORKERS", "VENV", "BIN", "VIRTUAL_ENV", "CURL_HOME"}


def quick_start_commands(readme: str) -> list[str]:
    """The lines of the first ``sh`` block of the README's "Quick start" section."""
    section = readme.partition("\n## Quick start\n")[2].partition("\n## ")[0]
    block = re.search(r"^```sh\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    assert block, 'README.md has no "## Quick start" section with a ```sh block'
    return [line for line in block.group(1).splitlines() if line.strip() and not line.lstrip().startswith("#")]


def require(condition: bool, reason: str) -> None:
    """Skip without ``condition``; in CI (POLYCMS_REQUIRE_ALL_PARTS=1) fail instead."""
    if not condition:
        if os.environ.get("POLYCMS_REQUIRE_ALL_PARTS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def newcomer_environment(**extra: str) -> dict[str, str]:
    kept = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(FOREIGN_PREFIXES) and name not in FOREIGN_NAMES
    }
    return {**kept, **extra}


def borrow_venv(clone: Path) -> None:
    """Give ``clone`` the running venv: a ``.venv`` whose parts link to it, with an install marker of its own
    newer than the clone's pyproject.toml, so ``make install`` has nothing to do (and never pip-installs the
    clone into the borrowed venv)."""
    venv = Path(sys.prefix)
    own = clone / ".venv"
    own.mkdir()
    for entry in venv.iterdir():
        if entry.name != ".installed":
            (own / entry.name).symlink_to(entry)
    marker = own / ".installed"
    marker.touch()
    stamp = (clone / "pyproject.toml").stat().st_mtime + 1
    os.utime(marker, (stamp, stamp))


def wait_until_healthy(server: subprocess.Popen, url: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while server.poll() is None and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)  # not listening yet: a subprocess's start-up has no event to wait on
    raise AssertionError(f"make serve did not come up (exit code {server.poll()})")


def stop(server: subprocess.Popen) -> None:
    """End ``make serve`` and everything it started (its own process group: make, gunicorn, workers)."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
            return
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    server.wait()


def test_readme_quick_start_works_as_written(tmp_path):
    require(all(shutil.which(tool) for tool in ("git", "make", "curl")), "needs git, make and curl")
    require((ROOT / ".git").exists(), "needs the repository's git history (a clone, not a copy)")
    require(sys.prefix != sys.base_prefix, "needs the project's venv (run the suite with .venv/bin/pytest)")

    commands = quick_start_commands((ROOT / "README.md").read_text())
    serve, *rest = commands
    assert serve.split("#")[0].split() == ["make", "serve"], serve
    assert rest and DEFAULT_ADDRESS in rest[-1], rest

    clone = tmp_path / "polycms"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=60)
    borrow_venv(clone)
    (tmp_path / ".curlrc").write_text('write-out = "\\n%{http_code}\\n"\n')  # the status, after the body
    port = free_port()
    env = newcomer_environment(
        CURL_HOME=str(tmp_path),
        DJANGO_SUPERUSER_PASSWORD="a-newcomer-password-0123456789",
        DJANGO_SUPERUSER_EMAIL="newcomer@example.com",
    )
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            ["bash", "-c", serve],
            cwd=clone,
            env={**env, "PORT": str(port)},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        try:
            wait_until_healthy(server, f"http://127.0.0.1:{port}/api/v1/health")
        except AssertionError as failure:
            raise AssertionError(f"{failure}:\n{log_path.read_text(errors='replace')[-4000:]}") from None
        *steps, last = (line.replace(DEFAULT_ADDRESS, f"127.0.0.1:{port}") for line in rest)
        script = "\n".join(["set -euo pipefail", *steps, f"echo '{ANSWER_MARK}'", last])
        result = subprocess.run(
            ["bash", "-c", script],
            cwd=clone,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        stop(server)

    assert result.returncode == 0 and ANSWER_MARK in result.stdout, (result.stdout, result.stderr)
    body, status = result.stdout.partition(ANSWER_MARK)[2].strip().rsplit("\n", 1)
    assert status == "200", (body, result.stderr)
    user = json.loads(body)["data"]
    owner = re.search(r"\bUSER=(\S+)", "\n".join(rest)).group(1)
    assert (user["username"], user["is_staff"]) == (owner, True)
    assert user["token"]["abilities"] == ["*"]

    # The server and the commands shared one configuration: the .env that make serve wrote, unshared,
    # found beside manage.py whatever the current directory.
    env_file = clone / ".env"
    assert "DJANGO_SECRET_KEY=" in env_file.read_text()
    assert env_file.stat().st_mode & 0o077 == 0
    assert subprocess.run(["git", "check-ignore", "--quiet", ".env"], cwd=clone).returncode == 0
    elsewhere = subprocess.run(
        [clone / ".venv/bin/python", clone / "manage.py", "shell", "-v", "0", "-c", SHOW_DEBUG],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert elsewhere.stdout.strip() == "True", elsewhere.stderr
