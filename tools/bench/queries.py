"""Queries and writes per request, counted in-process with Django's test client against the bench
database (same settings as the served app). Every count is the SQL the database actually received."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from http import HTTPStatus
from unittest import mock

from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from tools.bench.fixtures import Fixture
from tools.bench.seed import LOAD_TOKEN_PREFIX
from tools.bench.targets import ALL_TARGETS, LIST_ANON, LIST_PAT, PEERS, USER, Target

WRITE_VERBS = ("INSERT", "UPDATE", "DELETE")


@dataclass(frozen=True)
class Count:
    """How many statements a request sent, and how many of them wrote."""

    queries: int
    writes: int
    status: int | None = None
    write_sql: tuple[str, ...] = ()

    @classmethod
    def of(cls, captured: CaptureQueriesContext, status: int | None = None) -> Count:
        statements = [q["sql"] for q in captured.captured_queries]
        writes = tuple(s for s in statements if s.lstrip().upper().startswith(WRITE_VERBS))
        return cls(len(statements), len(writes), status, writes)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["write_sql"] = [s[:200] for s in self.write_sql]
        return data


def _request(client: Client, target: Target, fixture: Fixture, path: str | None = None, n: int = 0):
    headers = {name.lower(): value for name, value in fixture.headers(target).items()}
    if target.method == "POST":
        body = target.body(f"{fixture.title_prefix} probe {n}")
        return client.post(path or target.url_path(fixture), body, content_type="application/json", headers=headers)
    return client.get(path or target.url_path(fixture), headers=headers)


@contextlib.contextmanager
def _server_settings(target: Target) -> Iterator[None]:
    """The peers' settings (no middleware, DRF's defaults, their URL conf) for a peer target. DRF copies
    its settings into ``APIView``'s class attributes at import, so those are swapped too, as the peers'
    server has them."""
    if target.server != PEERS:
        yield
        return
    from rest_framework.generics import GenericAPIView
    from rest_framework.settings import api_settings
    from rest_framework.views import APIView

    from tools.bench import peer_settings

    with contextlib.ExitStack() as stack:
        stack.enter_context(
            override_settings(
                MIDDLEWARE=peer_settings.MIDDLEWARE,
                ROOT_URLCONF=peer_settings.ROOT_URLCONF,
                REST_FRAMEWORK=peer_settings.REST_FRAMEWORK,
            )
        )
        stack.enter_context(
            mock.patch.multiple(
                APIView,
                authentication_classes=api_settings.DEFAULT_AUTHENTICATION_CLASSES,
                permission_classes=api_settings.DEFAULT_PERMISSION_CLASSES,
                renderer_classes=api_settings.DEFAULT_RENDERER_CLASSES,
                parser_classes=api_settings.DEFAULT_PARSER_CLASSES,
                throttle_classes=api_settings.DEFAULT_THROTTLE_CLASSES,
                content_negotiation_class=api_settings.DEFAULT_CONTENT_NEGOTIATION_CLASS,
                metadata_class=api_settings.DEFAULT_METADATA_CLASS,
                versioning_class=api_settings.DEFAULT_VERSIONING_CLASS,
                settings=api_settings,
            )
        )
        stack.enter_context(
            mock.patch.multiple(
                GenericAPIView,
                pagination_class=api_settings.DEFAULT_PAGINATION_CLASS,
                filter_backends=api_settings.DEFAULT_FILTER_BACKENDS,
            )
        )
        yield


@contextlib.contextmanager
def _listening(fixture: Fixture, enabled: bool) -> Iterator[None]:
    """The run's webhook enabled inside (for a target with ``webhook``), disabled again after."""
    from tools.bench.fixtures import listening

    if enabled:
        listening(fixture.webhook_id, True)
    try:
        yield
    finally:
        listening(fixture.webhook_id, False)


def per_request(fixture: Fixture, targets: list[Target] = ALL_TARGETS) -> dict[str, Count]:
    """Steady-state statements per request of each target, and the status it answered: each runs once
    to warm up (the token's first ``last_used_at`` write, the permission caches of the URL resolver and
    serializers), then once under capture. A target that did not answer ``target.expect`` is recorded
    in ``fixture.missing`` when the answer was an error (it cannot be loaded)."""
    counts = {}
    for target in targets:
        if target.key in fixture.missing:
            continue
        with _server_settings(target), _listening(fixture, target.webhook):
            client = Client(SERVER_NAME="localhost")
            _request(client, target, fixture, n=0)
            with CaptureQueriesContext(connection) as captured:
                response = _request(client, target, fixture, n=1)
        counts[target.key] = Count.of(captured, response.status_code)
        if response.status_code != target.expect and response.status_code >= HTTPStatus.BAD_REQUEST:
            body = response.content[:160].decode(errors="replace")
            fixture.missing[target.key] = f"answered {response.status_code}: {body}"
    return counts


def list_by_page_size(fixture: Fixture, page_sizes: tuple[int, ...] = (1, 20, 100)) -> dict[str, dict[int, int]]:
    """Statements per list request at several page sizes, for the PAT and the anonymous caller."""
    client = Client(SERVER_NAME="localhost")
    result: dict[str, dict[int, int]] = {}
    for target in (LIST_PAT, LIST_ANON):
        result[target.key] = {}
        for size in page_sizes:
            path = f"/api/v1/posts?per_page={size}"
            _request(client, target, fixture, path)
            with CaptureQueriesContext(connection) as captured:
                response = _request(client, target, fixture, path)
            if response.status_code != HTTPStatus.OK:
                raise RuntimeError(f"{path} answered {response.status_code}")
            result[target.key][size] = len(captured.captured_queries)
    return result


def authentication_costs(fixture: Fixture) -> dict[str, dict]:
    """Statements spent inside ``PersonalAccessTokenAuthentication.authenticate`` on the token's first
    use (``last_used_at`` is NULL) and in steady state, and by the owner's permission checks after it."""
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from tokens.authentication import PersonalAccessTokenAuthentication
    from tokens.models import PersonalAccessToken

    factory = APIRequestFactory()
    authentication = PersonalAccessTokenAuthentication()

    def authenticate() -> tuple[Count, object]:
        request = Request(factory.get("/api/v1/user", HTTP_AUTHORIZATION=fixture.headers(USER)["Authorization"]))
        with CaptureQueriesContext(connection) as captured:
            user, _token = authentication.authenticate(request)
        return Count.of(captured), user

    load_token = PersonalAccessToken.objects.filter(name=f"{LOAD_TOKEN_PREFIX}{fixture.run_id}")
    load_token.update(last_used_at=None, last_used_ip=None)
    first_use, _ = authenticate()
    steady, user = authenticate()
    with CaptureQueriesContext(connection) as captured:
        user.has_perm("posts.view_post")
        user.has_perm("posts.change_others_post")
        user.get_all_permissions()
    return {
        "first_use": first_use.as_dict(),
        "steady": steady.as_dict(),
        "owner_permission_checks": Count.of(captured).as_dict(),
    }
