"""``tokens.lookup``: the one query behind a bearer request returns what the ORM would, field by field.

The field tests walk ``_meta.concrete_fields`` of the token and the user model and compare each value
with an ordinary ORM fetch, so a field a project adds to a custom user model is covered as it is: the
lookup selects every concrete field of ``get_user_model()`` and converts it with that field's own
converters (``from_db_value`` and the database backend's), exactly as the ORM does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from polycms.backends import roles_of
from posts.roles import sync_roles
from tokens import crypto, lookup, services
from tokens.models import PersonalAccessToken

pytestmark = pytest.mark.django_db

User = get_user_model()
# What a bearer request never reads stays deferred: loaded on access, with a query.
DEFERRED = {"hint", "created_at", "last_used_ip", "revoked_by_id"}


def assert_same(found, expected, name: str) -> None:
    assert found == expected, name
    assert type(found) is type(expected), name
    if isinstance(expected, datetime):
        assert found.utcoffset() == expected.utcoffset() == timedelta(0), name


@pytest.fixture
def filled_token(make_user, make_token, admin_user) -> PersonalAccessToken:
    """A token and an owner with every nullable field set and values that need converting."""
    owner = make_user("zoë", first_name="Zoë", last_name="O'Brien", is_staff=True)
    User.objects.filter(pk=owner.pk).update(last_login=datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=UTC))
    token, _ = make_token(owner, abilities=["posts:write", "user:read"])
    PersonalAccessToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() + timedelta(days=3, microseconds=7),
        last_used_at=datetime(2026, 3, 2, 8, 0, 0, 1, tzinfo=UTC),
        last_used_ip="2001:db8::1",
        revoked_at=datetime(2026, 3, 3, 9, 15, tzinfo=UTC),
        revoked_by=admin_user,
    )
    return token


@pytest.fixture
def empty_token(user, make_token) -> PersonalAccessToken:
    """A fresh token: every nullable field of the token and its owner is null."""
    token, _ = make_token(user)
    return token


@pytest.mark.parametrize("token_fixture", ["filled_token", "empty_token"])
def test_every_field_of_the_token_and_its_owner_is_what_the_orm_reads(
    request, token_fixture, django_assert_num_queries
):
    token = request.getfixturevalue(token_fixture)
    expected = PersonalAccessToken.objects.select_related("owner").get(pk=token.pk)
    with django_assert_num_queries(1):
        found = lookup.token_by_digests([token.digest])
    assert found.get_deferred_fields() == DEFERRED
    assert found.owner.get_deferred_fields() == set()
    with django_assert_num_queries(0):
        for field in PersonalAccessToken._meta.concrete_fields:
            if field.attname not in DEFERRED:
                assert_same(getattr(found, field.attname), getattr(expected, field.attname), field.name)
        for field in User._meta.concrete_fields:
            assert_same(getattr(found.owner, field.attname), getattr(expected.owner, field.attname), field.name)
    for field in PersonalAccessToken._meta.concrete_fields:  # now the deferred ones too, one query each
        assert_same(getattr(found, field.attname), getattr(expected, field.attname), field.name)
    assert found.owner_id == found.owner.pk and found._state.db == found.owner._state.db == "default"
    assert not found._state.adding and not found.owner._state.adding


class Name(str):
    """What a custom field type reads its values as."""


class NameField(models.CharField):
    """A custom field type: its own converter from the database value."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else Name(value)


@pytest.fixture
def first_name_as_custom_field(monkeypatch):
    """``User.first_name`` becomes a ``NameField`` for one test; the statement is compiled afresh."""
    monkeypatch.setattr(User._meta.get_field("first_name"), "__class__", NameField)
    lookup._statement.cache_clear()
    yield
    lookup._statement.cache_clear()


def test_a_custom_field_type_is_read_through_its_own_converter(make_user, make_token, first_name_as_custom_field):
    token, _ = make_token(make_user("nina", first_name="Nina"))
    expected = User.objects.get(pk=token.owner_id).first_name
    found = lookup.token_by_digests([token.digest]).owner.first_name
    assert type(expected) is Name
    assert_same(found, expected, "first_name")


def test_an_unknown_digest_is_none_after_one_query(user, make_token, django_assert_num_queries):
    make_token(user)
    with django_assert_num_queries(1):
        assert lookup.token_by_digests([crypto.digest(crypto.generate_token())]) is None


@pytest.mark.parametrize(
    ("roles", "direct", "superuser", "active"),
    [
        pytest.param([], [], False, True, id="nothing"),
        pytest.param([], ["view_post", "add_post"], False, True, id="own permissions"),
        pytest.param(["Author"], [], False, True, id="one group"),
        pytest.param(["Author", "Editor"], ["view_post", "add_session"], False, True, id="overlapping groups and own"),
        pytest.param(["Author"], [], True, True, id="superuser"),
        pytest.param(["Editor"], ["view_post"], False, False, id="inactive"),
    ],
)
def test_the_owners_roles_and_permissions_are_primed_as_the_orm_computes_them(
    make_user, make_token, django_assert_num_queries, roles, direct, superuser, active
):
    sync_roles(Group, Permission)
    owner = make_user("perm-owner", is_superuser=superuser, is_active=active)
    owner.groups.add(*Group.objects.filter(name__in=roles))
    owner.user_permissions.add(*Permission.objects.filter(codename__in=direct))
    token, _ = make_token(owner)
    fresh = User.objects.get(pk=owner.pk)
    expected_permissions, expected_roles = fresh.get_all_permissions(), roles_of(fresh)

    found = lookup.token_by_digests([token.digest])
    with django_assert_num_queries(0):
        assert found.owner.get_all_permissions() == expected_permissions
        assert roles_of(found.owner) == expected_roles == sorted(roles)
        assert found.owner.has_perm("posts.view_post") is fresh.has_perm("posts.view_post")
    if superuser:
        assert len(expected_permissions) == Permission.objects.count()
    if not active:
        assert expected_permissions == set()


def test_a_token_under_a_fallback_key_is_found_without_a_write(user, make_token, settings):
    token, plaintext = make_token(user)
    old_keys = [settings.SECRET_KEY, "an-even-older-secret-key-0123456789abcdefghijklmnopqrstuv"]
    settings.SECRET_KEY = "a-brand-new-secret-key-after-rotation-0123456789abcdef"
    settings.SECRET_KEY_FALLBACKS = list(reversed(old_keys))  # the token's key is the last of three
    with CaptureQueriesContext(connection) as queries:
        found = services.token_lookup(plaintext)
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["SELECT"]
    assert found.pk == token.pk and found.digest == token.digest
    assert PersonalAccessToken.objects.get(pk=token.pk).digest == token.digest != crypto.digest(plaintext)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: prepared statements")
def test_the_lookup_is_prepared_once_per_connection_and_logged_as_one_query(user, make_token):
    _, plaintext = make_token(user)
    digests = crypto.candidate_digests(plaintext)
    with CaptureQueriesContext(connection) as captured:
        tokens = [lookup.token_by_digests(digests) for _ in range(3)]
    assert len(captured.captured_queries) == 3 and all(t.owner == user for t in tokens)
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans + custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
                       ["%tokens_personalaccesstoken%"])  # fmt: skip
        assert cursor.fetchall() == [(3,)]
    # Other queries are not prepared, nor counted: Django's automatic preparation stays off.
    assert connection.connection.prepare_threshold is None
