"""``POLYCMS_WEBHOOKS``: the SSRF guard's switches from the environment, checked in fresh interpreters."""

from __future__ import annotations

import json

import pytest

from tests.polycms.test_settings import DEVELOPMENT, PRODUCTION, manage

SHOW = (
    "import json; from webhooks.settings import webhook_settings as s; "
    "print(json.dumps([s.ALLOW_HTTP, s.ALLOW_PRIVATE_NETWORKS, s.TIMEOUT]))"
)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (PRODUCTION, [False, False, 10]),
        (DEVELOPMENT, [True, True, 10]),
        ({**PRODUCTION, "POLYCMS_WEBHOOKS_ALLOW_HTTP": "1"}, [True, False, 10]),
        ({**PRODUCTION, "POLYCMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS": "1"}, [False, True, 10]),
        (
            {**DEVELOPMENT, "POLYCMS_WEBHOOKS_ALLOW_HTTP": "0", "POLYCMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS": "0"},
            [False, False, 10],
        ),
    ],
)
def test_the_ssrf_guard_is_strict_in_production_and_relaxed_in_debug(env, expected):
    result = manage("shell", "-v", "0", "-c", SHOW, POLYCMS_DOTENV="0", **env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected
