"""Shared fixtures: users per role, token factories, API clients authenticated by token or session."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group, Permission, User
from rest_framework.test import APIClient

from posts.roles import sync_roles
from tokens.models import PersonalAccessToken
from tokens.services import token_create

pytest_plugins = ["tests.secrets_guard", "tests.windows"]


# The suite's own key prefix on a shared Redis (REDIS_URL): tests delete their keys and never flush a
# database, which other programs, or another test run, may be using.
TEST_CACHE_PREFIX = f"polycms-test-{secrets.token_hex(6)}"


def delete_cache_keys(url: str, prefix: str) -> None:
    """Delete the keys under ``prefix`` (Django's ``<prefix>:<version>:<key>``) in the Redis at ``url``."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    for batch in _batches(client.scan_iter(match=f"{prefix}:*", count=1000), 500):
        client.delete(*batch)


def _batches(items, size: int):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _clear_test_cache() -> None:
    from django.conf import settings
    from django.core.cache import cache

    from api import leases

    leases.forget()  # what this process holds of the counts goes with them
    config = settings.CACHES["default"]
    if not config["BACKEND"].endswith("RedisCache"):
        cache.clear()
    elif config.get("KEY_PREFIX") == TEST_CACHE_PREFIX:  # not a Redis a test pointed elsewhere for itself
        delete_cache_keys(config["LOCATION"], TEST_CACHE_PREFIX)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": TEST_CACHE_PREFIX}}
    # No collectstatic before unit tests: serve static files without the hashed manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _clear_cache(_test_settings):
    _clear_test_cache()
    yield
    _clear_test_cache()


def is_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


postgres_only = pytest.mark.skipif(not is_postgres(), reason="needs PostgreSQL: set DATABASE_URL=postgres://...")


@pytest.fixture
def latest_schema_afterwards(transactional_db) -> Iterator[None]:
    """For tests that migrate backwards (``tests.migrations.migrate``): the schema is the latest again after them,
    as the rest of the suite expects it."""
    from tests.migrations import migrate_to_latest

    yield
    migrate_to_latest()


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    def make(username: str = "alice", *, role: str | None = None, **extra) -> User:
        extra.setdefault("email", f"{username}@example.com")
        user = User.objects.create_user(username=username, password="correct horse battery staple", **extra)
        if role:
            if not Group.objects.filter(name=role).exists():  # flushed by a transactional test
                sync_roles(Group, Permission)
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def user(make_user) -> User:
    return make_user("alice")


@pytest.fixture
def admin_user(make_user) -> User:
    return make_user("admin", is_staff=True, is_superuser=True)


@pytest.fixture
def editor(make_user) -> User:
    return make_user("eddie", role="Editor")


@pytest.fixture
def author(make_user) -> User:
    return make_user("ann", role="Author")


@pytest.fixture
def contributor(make_user) -> User:
    return make_user("connie", role="Contributor")


@pytest.fixture
def make_token() -> Callable[..., tuple[PersonalAccessToken, str]]:
    def make(owner: User, name: str = "Zapier Integration", **kwargs) -> tuple[PersonalAccessToken, str]:
        return token_create(owner=owner, name=name, **kwargs)

    return make


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def token_client(make_token) -> Callable[..., APIClient]:
    """An API client sending ``Authorization: Bearer <new token of owner>``."""

    def make(owner: User, **kwargs) -> APIClient:
        _, plaintext = make_token(owner, **kwargs)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_ACCEPT="application/json")
        client.plaintext = plaintext
        return client

    return make


@pytest.fixture
def session_client() -> Callable[..., APIClient]:
    """An API client signed in by session, enforcing CSRF like a browser would."""

    def make(user: User, *, enforce_csrf: bool = False) -> APIClient:
        client = APIClient(enforce_csrf_checks=enforce_csrf)
        client.force_login(user)
        return client

    return make


# ---------------------------------------------------------------------------- real parts
# Tests that need a real part skip with a reason starting "needs <part>" on a machine without it.
# CI sets POLYCMS_REQUIRE_ALL_PARTS=1, and then such a skip fails the run (PostgreSQL skips only count
# on the PostgreSQL run: the SQLite run skips them by design).
_missing_parts: list[str] = []


def _counts_as_missing_part(reason: str) -> bool:
    if "needs Redis" in reason or "needs Chromium" in reason or "needs Node.js" in reason:
        return True
    return "needs PostgreSQL" in reason and is_postgres()


def pytest_runtest_logreport(report):
    if report.skipped and os.environ.get("POLYCMS_REQUIRE_ALL_PARTS") == "1":
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if _counts_as_missing_part(reason):
            _missing_parts.append(f"{report.nodeid}: {reason}")


def pytest_sessionfinish(session, exitstatus):
    if _missing_parts:
        print("\nPOLYCMS_REQUIRE_ALL_PARTS=1 but tests were skipped for a missing part:")
        print("\n".join(f"  {line}" for line in _missing_parts))
        session.exitstatus = 1


def suite_redis_url(request: pytest.FixtureRequest) -> str:
    """The suite's Redis (``REDIS_URL``, else database 14 of the local server) for a test marked ``redis``.

    Skips when no Redis answers there. Fails a test without the mark: ``-m "not redis"`` must keep every
    test away from a Redis that other programs, or another run, may be using. Tests use a key prefix of
    their own there and delete only their keys; none flushes a database.
    """
    import redis

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
    server = urlsplit(url)
    where = f"{server.hostname}:{server.port or 6379}{server.path}"  # not the URL: it may hold a password
    if request.node.get_closest_marker("redis") is None:
        pytest.fail(f"{request.node.nodeid} uses the Redis at {where} but is not marked redis", pytrace=False)
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"needs Redis at {where} (set REDIS_URL)")
    return url


@pytest.fixture
def redis_cache(request, settings) -> Iterator[str]:
    """Point Django's cache at the suite's Redis (``suite_redis_url``) under ``TEST_CACHE_PREFIX``."""
    url = suite_redis_url(request)
    settings.CACHES = {
        "default": {
            "BACKEND": "polycms.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": TEST_CACHE_PREFIX,
        }
    }
    _clear_test_cache()
    yield url
    _clear_test_cache()
