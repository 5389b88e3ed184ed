import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from polycms.logging import JsonFormatter

ROOT = Path(__file__).resolve().parents[2]


def test_audit_fields_are_merged_into_one_json_line():
    record = logging.LogRecord("polycms.audit", logging.INFO, __file__, 1, "token.revoked", None, None)
    record.audit = {"token_id": 7, "actor_id": 3, "ip": "10.0.0.1"}
    line = json.loads(JsonFormatter().format(record))
    assert line["event"] == "token.revoked"
    assert (line["token_id"], line["actor_id"], line["ip"]) == (7, 3, "10.0.0.1")
    assert line["time"].endswith("+00:00") and line["level"] == "INFO"


def test_each_4xx_is_logged_once_as_json_in_debug():
    # Django's default handlers printed plain text on stderr in debug beside the root's JSON line.
    code = "from django.test import Client; Client(HTTP_HOST='127.0.0.1').get('/api/v1/no-such-endpoint')"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env |= {"DJANGO_DEBUG": "1", "DJANGO_SECRET_KEY": "a-local-development-secret-key-0123456789"}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in (result.stdout + result.stderr).splitlines() if "no-such-endpoint" in line]
    assert len(lines) == 1, lines
    record = json.loads(lines[0])
    assert (record["logger"], record["level"]) == ("django.request", "WARNING")
