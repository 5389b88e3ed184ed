"""CurrentUserSerializer's lean representation is the one its fields describe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from tokens.serializers import CurrentUserSerializer


def _field_representation(user, auth) -> dict:
    """What the ModelSerializer's own fields would give (DRF's generic ``Serializer.to_representation``)."""
    request = APIRequestFactory().get("/api/v1/user")
    request.auth = auth
    serializer = CurrentUserSerializer(user, context={"request": request})
    return serializers.Serializer.to_representation(serializer, user)


def _lean_representation(user, auth) -> dict:
    request = APIRequestFactory().get("/api/v1/user")
    request.auth = auth
    return CurrentUserSerializer(user, context={"request": request}).data


@pytest.mark.parametrize("expires", [None, timedelta(days=3)])
def test_lean_representation_matches_the_fields_for_a_token(editor, make_token, expires):
    editor.first_name, editor.last_name = "Eda", "Tor"
    token, _ = make_token(editor, expires_at=timezone.now() + expires if expires else None)
    lean = _lean_representation(editor, token)
    assert lean == _field_representation(editor, token)
    assert list(lean) == list(CurrentUserSerializer.Meta.fields)


def test_lean_representation_matches_the_fields_for_a_session(admin_user):
    assert _lean_representation(admin_user, None) == _field_representation(admin_user, None)
    assert _lean_representation(admin_user, None)["token"] is None
