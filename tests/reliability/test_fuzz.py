"""Schemathesis against our own /api/v1/schema/: whatever it sends, the API answers as its schema says.

Every operation is fuzzed in process (WSGI) with a superuser's bearer token, with valid and invalid
inputs, bounded in examples and deterministic. Checks: no 5xx; status code, content type and body
(error bodies included) as documented. ``pytest -v`` lists the statuses seen per operation.

A post read with ``?fields=`` holds only the fields named, which the schema's ``Post`` and ``PostSummary``
require (typed clients get every field a post holds without it): such a body is checked against the schema
with nothing required of those two but what ``fields`` names.
"""

from __future__ import annotations

import copy
import zlib
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from polycms.wsgi import application
from posts import services as post_services

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = 25
CONFIG = schemathesis.Config.from_dict({"generation": {"mode": "all", "deterministic": True, "database": "none"}})
# The generated documents, UI pages and schema itself are not API operations.
NOT_OPERATIONS = r"^/api/v1/(schema|docs|redoc)/"


def _load_schema() -> schemathesis.BaseSchema:
    # Loaded at collection, before pytest-django's test environment adds the test hosts.
    with override_settings(ALLOWED_HOSTS=["localhost"]):
        return schemathesis.openapi.from_wsgi("/api/v1/schema/", application, config=CONFIG)


schema = _load_schema().exclude(path_regex=NOT_OPERATIONS)
POST_COMPONENTS = ("Post", "PostSummary")


def _projected_schema(fields: list[str]) -> schemathesis.BaseSchema:
    """The schema with ``Post`` and ``PostSummary`` requiring only ``fields``: what a ``?fields=`` read answers."""
    raw = copy.deepcopy(schema.raw_schema)
    for name in POST_COMPONENTS:
        component = raw["components"]["schemas"][name]
        component["required"] = [field for field in component["required"] if field in fields]
    return schemathesis.openapi.from_dict(raw, config=CONFIG)


def _named_fields(case: schemathesis.Case) -> list[str] | None:
    value = (case.query or {}).get("fields")
    if value is None or not case.operation.path.startswith("/api/v1/posts"):
        return None
    values = value if isinstance(value, list) else [value]
    return [name.strip() for item in values for name in str(item).split(",")]


@pytest.fixture
def _requests_share_the_test_transaction() -> Iterator[None]:
    """Keep Django from closing the test's connection around each request (as django.test.Client
    does): the requests run in process, inside the transaction the ``db`` fixture rolls back."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_settings(settings) -> None:
    settings.ALLOWED_HOSTS = ["localhost"]  # the Host header of schemathesis' WSGI client
    # Rate limits have their own tests; here they would only turn most writes into 429s.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            scope: "100000/min" for scope in ("token_read", "token_write", "user_read", "user_write", "anon")
        },
    }


@pytest.fixture
def bearer(admin_user, make_token, fuzz_settings, _requests_share_the_test_transaction) -> dict[str, str]:
    """The Authorization header of a superuser's all-abilities token: every operation is allowed."""
    _, plaintext = make_token(admin_user, name="fuzz")
    return {"Authorization": f"Bearer {plaintext}"}


@pytest.fixture
def existing_post(admin_user):
    return post_services.post_create(
        author=admin_user,
        data={"title": "Fuzzing target", "content_raw": {"blocks": [{"type": "paragraph", "data": {"text": "Hi"}}]}},
    )


def _addresses_existing_post(case: schemathesis.Case) -> bool:
    """True for about half the generated cases, always the same half: random ids almost never exist, so
    without this updates and deletes would only ever answer 404. (Not ``schema.given``: it turns off
    schemathesis' coverage phase.)"""
    generated = repr((case.path_parameters, case.headers, case.query, case.body))
    return zlib.crc32(generated.encode("utf-8", "surrogatepass")) % 2 == 0


@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@schema.parametrize()
def test_api_answers_as_its_schema_says(case, bearer, existing_post, fuzz_tally):
    if case.operation.path.startswith("/api/v1/posts/") and _addresses_existing_post(case):
        case.path_parameters["id"] = str(existing_post.pk)
    response = case.call(headers=bearer)
    fuzz_tally.record(f"{case.method} {case.operation.path}", response.status_code)
    fields = _named_fields(case)
    if fields is None or response.status_code != 200:
        case.validate_response(response, checks=CHECKS, headers=bearer)
        return
    checks = [check for check in CHECKS if check is not response_schema_conformance]
    case.validate_response(response, checks=checks, headers=bearer)
    _projected_schema(fields)[case.operation.path][case.method].validate_response(response, case=case)
