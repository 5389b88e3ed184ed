"""tokens.policies: everyone active manages their own tokens with no permission; others' tokens need
``tokens.revoke_any_token`` (superusers hold it); inactive and anonymous users manage none."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from tokens import policies
from tokens.models import PersonalAccessToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(make_user, grant):
    """``person(kind)``: a user of one of the kinds the rule tells apart."""

    def make(kind: str):
        match kind:
            case "author":  # staff with the Author role: no token permission at all
                return make_user("ann", role="Author", is_staff=True)
            case "plain user":  # not staff: manages their tokens through the API (session sign-in)
                return make_user("paul")
            case "revoke any":
                return grant(make_user("tom", is_staff=True), "tokens.revoke_any_token")
            case "superuser":
                return make_user("root", is_staff=True, is_superuser=True)
            case "inactive revoke any":
                return grant(make_user("gone", is_staff=True, is_active=False), "tokens.revoke_any_token")
            case "inactive superuser":
                return make_user("old-root", is_staff=True, is_superuser=True, is_active=False)

    return make


@pytest.mark.parametrize(
    ("kind", "manages_own", "sees_all"),
    [
        ("author", True, False),
        ("plain user", True, False),
        ("revoke any", True, True),
        ("superuser", True, True),
        ("inactive revoke any", False, False),
        ("inactive superuser", False, False),
    ],
)
def test_who_manages_which_tokens(person, make_user, make_token, kind, manages_own, sees_all):
    who = person(kind)
    own, _ = make_token(who)
    others, _ = make_token(make_user("bob"))

    assert policies.can_manage_own_tokens(who) is manages_own
    assert policies.sees_every_token(who) is sees_all
    assert policies.can_see_token(who, own) is manages_own
    assert policies.can_see_token(who, others) is sees_all
    assert set(PersonalAccessToken.objects.visible_to(who)) == {
        token for token in (own, others) if policies.can_see_token(who, token)
    }


def test_anonymous_manages_no_token(user, make_token):
    token, _ = make_token(user)
    anonymous = AnonymousUser()

    assert not policies.can_manage_own_tokens(anonymous)
    assert not policies.sees_every_token(anonymous)
    assert not policies.can_see_token(anonymous, token)
    assert not PersonalAccessToken.objects.visible_to(anonymous).exists()
