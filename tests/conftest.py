"""Shared fixtures: users per role, token factories, API clients authenticated by token or session."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient

from tokens.models import PersonalAccessToken
from tokens.services import token_create


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def is_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


postgres_only = pytest.mark.skipif(not is_postgres(), reason="needs PostgreSQL: set DATABASE_URL=postgres://...")


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    def make(username: str = "alice", *, role: str | None = None, **extra) -> User:
        extra.setdefault("email", f"{username}@example.com")
        user = User.objects.create_user(username=username, password="correct horse battery staple", **extra)
        if role:
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
