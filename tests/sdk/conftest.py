"""A live PolyCMS for the SDK tests: gunicorn on a database of its own, a superuser's all-abilities token, and the
OpenAPI schema as the server serves it (what a user generates a client from)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.live import Gunicorn, django_env, http_request, live_database, manage, superuser_token

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class SdkServer:
    url: str
    token: str
    schema: Path  # the OpenAPI document, JSON


@pytest.fixture(scope="package")
def sdk_server(tmp_path_factory) -> Iterator[SdkServer]:
    workdir = tmp_path_factory.mktemp("sdk-server")
    with live_database("sdk", workdir) as database_url:
        env = django_env(DATABASE_URL=database_url, DJANGO_STATIC_ROOT=str(workdir / "static"))
        manage(env, "migrate", "--noinput")
        token = superuser_token(env, workdir / "token", "sdk-admin")
        server = Gunicorn(env, log_file=workdir / "gunicorn.log").start(workers=2)
        try:
            answer = http_request(f"{server.url}/api/v1/schema", headers={"Accept": "application/vnd.oai.openapi+json"})
            assert answer.status == 200, answer.body[:500]
            schema = workdir / "openapi.json"
            schema.write_bytes(answer.body)
            yield SdkServer(server.url, token, schema)
        finally:
            server.stop()
