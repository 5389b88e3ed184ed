from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.secrets_guard import leaks_in_database
from tokens import crypto, services
from tokens.models import PersonalAccessToken

pytestmark = pytest.mark.django_db


def test_create_returns_plaintext_once_and_stores_only_digest_and_hint(user):
    token, plaintext = services.token_create(owner=user, name="Mobile App")
    stored = PersonalAccessToken.objects.get(pk=token.pk)
    assert stored.hint == plaintext[-4:]
    assert stored.digest != plaintext and plaintext not in stored.digest
    assert stored.abilities == ["*"]


def test_no_plaintext_in_any_text_column_after_creating_tokens(user, admin_user):
    plaintexts = [services.token_create(owner=owner, name=f"t{i}")[1] for i in range(3) for owner in (user, admin_user)]
    assert leaks_in_database(plaintexts) == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "ok", "abilities": ["posts:delete"]}, "abilities"),
        ({"name": "ok", "abilities": []}, "abilities"),
        ({"name": "ok", "expires_at": timezone.now() - timedelta(seconds=1)}, "expires_at"),
    ],
)
def test_invalid_tokens_are_refused_by_field(user, kwargs, field):
    with pytest.raises(ValidationError) as excinfo:
        services.token_create(owner=user, **kwargs)
    assert field in excinfo.value.message_dict
    assert not PersonalAccessToken.objects.exists()


def test_name_is_unique_among_the_owners_active_tokens(user, make_user):
    services.token_create(owner=user, name="Zapier")
    with pytest.raises(ValidationError):
        services.token_create(owner=user, name="Zapier")
    services.token_create(owner=make_user("bob"), name="Zapier")  # another owner may


def test_name_of_a_revoked_or_expired_token_can_be_reused(user):
    token, _ = services.token_create(owner=user, name="Zapier")
    services.token_revoke(token=token, by=user)
    services.token_create(owner=user, name="Zapier", expires_at=timezone.now() + timedelta(days=1))
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        services.token_create(owner=user, name="Zapier")
    assert PersonalAccessToken.objects.active().filter(name="Zapier").count() == 1


def test_abilities_are_normalized(user):
    token, _ = services.token_create(owner=user, name="a", abilities=["posts:read", "read", "posts:read"])
    assert token.abilities == ["posts:read", "read"]
    token, _ = services.token_create(owner=user, name="b", abilities=["read", "*"])
    assert token.abilities == ["*"]


def test_revoke_is_idempotent_and_records_who(user, admin_user):
    token, _ = services.token_create(owner=user, name="x")
    assert services.token_revoke(token=token, by=admin_user)
    assert not services.token_revoke(token=token, by=user)
    token.refresh_from_db()
    assert token.revoked_by == admin_user and token.status == "revoked"


def test_rekey_moves_a_token_found_under_a_fallback_key_to_the_current_key_once(
    user, settings, django_assert_num_queries
):
    token, plaintext = services.token_create(owner=user, name="x")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-brand-new-secret-key-after-rotation-0123456789abcdef"
    found = services.token_lookup(plaintext)
    stale_copy = PersonalAccessToken.objects.get(pk=token.pk)  # another request's copy, old digest
    with django_assert_num_queries(1):
        assert services.token_rekey(token=found, plaintext=plaintext)
    assert found.digest == crypto.digest(plaintext) == PersonalAccessToken.objects.get(pk=token.pk).digest
    with django_assert_num_queries(1):  # the conditional UPDATE finds the row already re-keyed
        assert not services.token_rekey(token=stale_copy, plaintext=plaintext)
    assert stale_copy.digest == found.digest
    with django_assert_num_queries(0):
        assert not services.token_rekey(token=found, plaintext=plaintext)


def test_record_use_writes_at_most_once_per_interval(user, django_assert_num_queries):
    token, _ = services.token_create(owner=user, name="x")
    now = timezone.now()
    with django_assert_num_queries(1):
        assert services.token_record_use(token=token, ip="10.0.0.1", now=now)
    with django_assert_num_queries(0):
        assert not services.token_record_use(token=token, ip="10.0.0.2", now=now + timedelta(seconds=59))
    stale_copy = PersonalAccessToken.objects.get(pk=token.pk)
    stale_copy.last_used_at = now - timedelta(minutes=5)  # another worker's stale in-memory copy
    with django_assert_num_queries(1):
        assert not services.token_record_use(token=stale_copy, ip="10.0.0.3", now=now + timedelta(seconds=30))
    token.refresh_from_db()
    assert token.last_used_ip == "10.0.0.1"
    assert services.token_record_use(token=token, ip="10.0.0.4", now=now + timedelta(seconds=61))


def test_prune_deletes_only_long_dead_tokens(user):
    old_revoked, _ = services.token_create(owner=user, name="old-revoked")
    services.token_revoke(token=old_revoked, by=user)
    PersonalAccessToken.objects.filter(pk=old_revoked.pk).update(revoked_at=timezone.now() - timedelta(days=40))
    old_expired, _ = services.token_create(owner=user, name="old-expired")
    PersonalAccessToken.objects.filter(pk=old_expired.pk).update(expires_at=timezone.now() - timedelta(days=40))
    recent, _ = services.token_create(owner=user, name="recent")
    services.token_revoke(token=recent, by=user)
    services.token_create(owner=user, name="alive")

    assert services.tokens_prune(older_than_days=30) == 2
    assert set(PersonalAccessToken.objects.values_list("name", flat=True)) == {"recent", "alive"}


def test_audit_log_never_contains_plaintext(user, caplog):
    with caplog.at_level("INFO", logger="polycms.audit"):
        token, plaintext = services.token_create(owner=user, name="x", ip="10.1.2.3")
        services.token_revoke(token=token, by=user)
    messages = [r.getMessage() for r in caplog.records] + [str(getattr(r, "audit", "")) for r in caplog.records]
    assert {"token.created", "token.revoked"} <= {r.getMessage() for r in caplog.records}
    assert all(plaintext not in m for m in messages)
    assert caplog.records[0].audit["token_id"] == token.pk and caplog.records[0].audit["ip"] == "10.1.2.3"
