"""Attacks on the write budgets: hammer the API from a browser session (never throttled before), or
mint many tokens, each with a fresh budget. Defences: per-user read/write limits for sessions, writes
counted per owner as well as per token, and a cap on active tokens per user."""

from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError

from tests.concurrency import run_concurrently
from tests.conftest import postgres_only
from tokens.models import PersonalAccessToken
from tokens.services import token_create

# A stopped clock: the rate windows these tests fill cannot roll over mid-test (tests/windows.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


@pytest.fixture
def draft(author, token_client):
    response = token_client(author, name="setup").post("/api/v1/posts", {"title": "Draft"}, format="json")
    assert response.status_code == HTTPStatus.CREATED
    return response.json()["data"]


def test_session_writes_are_throttled_per_user(author, session_client, draft):
    client = session_client(author)
    statuses = [
        client.patch(f"/api/v1/posts/{draft['id']}", {"title": f"Edit {i}"}, format="json").status_code
        for i in range(130)
    ]
    assert HTTPStatus.TOO_MANY_REQUESTS in statuses
    assert statuses.index(HTTPStatus.TOO_MANY_REQUESTS) == 119  # the 120/min default, the setup POST included
    last = client.patch(f"/api/v1/posts/{draft['id']}", {"title": "x"}, format="json")
    assert last.json()["error"]["code"] == "rate_limited" and int(last["Retry-After"]) > 0


def test_session_reads_are_throttled_per_user(author, session_client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user_read": "3/min"},
    }
    client = session_client(author)
    statuses = [client.get("/api/v1/posts").status_code for _ in range(4)]
    assert statuses == [HTTPStatus.OK] * 3 + [HTTPStatus.TOO_MANY_REQUESTS]


def test_more_tokens_do_not_buy_more_writes(author, token_client, draft, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user_write": "6/min"},
    }
    clients = [token_client(author, name=f"integration {i}") for i in range(3)]
    statuses = [
        client.patch(f"/api/v1/posts/{draft['id']}", {"title": f"{i}"}, format="json").status_code
        for i in range(3)
        for client in clients
    ]
    # Each token's own budget (120/min) is far away; the owner's (6, the setup POST included) is not.
    assert statuses == [HTTPStatus.OK] * 5 + [HTTPStatus.TOO_MANY_REQUESTS] * 4


def test_active_tokens_per_user_are_capped(user, settings, session_client):
    settings.POLYCMS_TOKENS = {"MAX_ACTIVE_PER_USER": 3}
    tokens = [token_create(owner=user, name=f"t{i}")[0] for i in range(3)]
    client = session_client(user)
    response = client.post("/api/v1/tokens", {"name": "one too many"}, format="json")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "3 active tokens" in response.json()["error"]["message"]
    assert PersonalAccessToken.objects.filter(owner=user).count() == 3

    client.delete(f"/api/v1/tokens/{tokens[0].pk}")  # a revoked token frees its place
    assert client.post("/api/v1/tokens", {"name": "replacement"}, format="json").status_code == HTTPStatus.CREATED


def test_token_cap_is_one_rule_for_the_admin_and_the_commands(make_user, settings):
    settings.POLYCMS_TOKENS = {"MAX_ACTIVE_PER_USER": 1}
    staff = make_user("stella", is_staff=True)
    token_create(owner=staff, name="only")
    with pytest.raises(ValidationError, match="1 active tokens"):
        token_create(owner=staff, name="second")


@pytest.mark.django_db(transaction=True)
@postgres_only
def test_concurrent_creates_cannot_pass_the_token_cap(user, settings):
    settings.POLYCMS_TOKENS = {"MAX_ACTIVE_PER_USER": 5}

    def create(i: int) -> bool:
        try:
            token_create(owner=user, name=f"racer {i}")
        except ValidationError:
            return False
        return True

    assert sum(run_concurrently(create, count=12)) == 5
    assert PersonalAccessToken.objects.filter(owner=user).count() == 5
