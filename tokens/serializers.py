"""Serializers for the current user and for personal access tokens."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers import ChoiceField, StrictFieldsMixin
from polycms.backends import roles_of
from tokens.abilities import ABILITIES
from tokens.models import PersonalAccessToken


class TokenSummarySerializer(serializers.ModelSerializer):
    abilities = serializers.ListField(child=ChoiceField(choices=list(ABILITIES)))

    class Meta:
        model = PersonalAccessToken
        fields = ["id", "name", "abilities", "expires_at"]


# ``CurrentUser.token`` in the OpenAPI schema: a TokenSummary or null, as one nullable object (OpenAPI 3.0's
# ``nullable`` beside an ``allOf`` reference does not let null through strict validators).
TOKEN_SUMMARY_OR_NULL = {
    "type": "object",
    "nullable": True,
    "required": ["id", "name", "abilities", "expires_at"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "abilities": {"type": "array", "items": {"$ref": "#/components/schemas/AbilitiesEnum"}},
        "expires_at": {"type": "string", "format": "date-time", "nullable": True},
    },
    "description": "The token in use; null when signed in by session.",
}


class CurrentUserSerializer(serializers.ModelSerializer):
    """The signed-in user, with roles (group names) and permissions (sorted ``app.codename``).

    Read-only, and on the hot path of every integration (``GET /api/v1/user``): ``to_representation``
    builds the dict directly (``current_user_data``) instead of building the ModelSerializer's fields,
    which costs more than the rest of the request. The fields below stay the contract: the OpenAPI
    schema is made from them, and a test checks the two give the same representation."""

    roles = serializers.SerializerMethodField()
    permissions = serializers.SerializerMethodField()
    token = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "email", "first_name", "last_name", "is_staff", "roles", "permissions", "token"]

    def to_representation(self, user) -> dict:
        return current_user_data(user, self.context["request"].auth)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_roles(self, user) -> list[str]:
        return roles_of(user)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_permissions(self, user) -> list[str]:
        return sorted(user.get_all_permissions())

    @extend_schema_field(TOKEN_SUMMARY_OR_NULL)
    def get_token(self, user) -> dict | None:
        return token_summary(self.context["request"].auth)


def current_user_data(user, auth) -> dict:
    """``CurrentUserSerializer``'s representation of ``user`` signed in with ``auth`` (a token or not)."""
    return {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_staff": user.is_staff,
        "roles": roles_of(user),
        "permissions": sorted(user.get_all_permissions()),
        "token": token_summary(auth),
    }


def token_summary(auth) -> dict | None:
    """``TokenSummarySerializer``'s representation of the token in use; None for a session."""
    if not isinstance(auth, PersonalAccessToken):
        return None
    expires_at = _DATETIME.to_representation(auth.expires_at) if auth.expires_at else None
    return {"id": auth.pk, "name": auth.name, "abilities": auth.abilities, "expires_at": expires_at}


_DATETIME = serializers.DateTimeField()


class TokenSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A token as its owner sees it: never the digest, only a hint."""

    hint = serializers.CharField(source="display_hint", read_only=True)
    status = serializers.CharField(read_only=True)
    abilities = serializers.ListField(child=ChoiceField(choices=list(ABILITIES)), required=False, allow_empty=False)

    class Meta:
        model = PersonalAccessToken
        fields = [
            "id",
            "name",
            "abilities",
            "hint",
            "status",
            "created_at",
            "expires_at",
            "last_used_at",
            "last_used_ip",
            "revoked_at",
        ]
        read_only_fields = ["created_at", "last_used_at", "last_used_ip", "revoked_at"]
        # The model's unique (owner, name) constraint would make DRF add a validator that needs the owner in
        # the input; token_create checks the name among the owner's active tokens itself, in its transaction.
        extra_kwargs = {"name": {"validators": []}}


class TokenCreatedSerializer(TokenSerializer):
    """The creation response: the only time the plaintext ``token`` is ever returned."""

    token = serializers.CharField(read_only=True, help_text="The plaintext token. Shown once; store it now.")

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "token"]
