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
    class Meta:
        model = PersonalAccessToken
        fields = ["id", "name", "abilities", "expires_at"]


class CurrentUserSerializer(serializers.ModelSerializer):
    """The signed-in user, with roles (group names) and permissions (sorted ``app.codename``)."""

    roles = serializers.SerializerMethodField()
    permissions = serializers.SerializerMethodField()
    token = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "email", "first_name", "last_name", "is_staff", "roles", "permissions", "token"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_roles(self, user) -> list[str]:
        return roles_of(user)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_permissions(self, user) -> list[str]:
        return sorted(user.get_all_permissions())

    @extend_schema_field(TokenSummarySerializer(allow_null=True))
    def get_token(self, user) -> dict | None:
        auth = self.context["request"].auth
        if not isinstance(auth, PersonalAccessToken):
            return None
        # A plain dict: building a serializer here would cost as much as the rest of the request.
        expires_at = serializers.DateTimeField().to_representation(auth.expires_at) if auth.expires_at else None
        return {"id": auth.pk, "name": auth.name, "abilities": auth.abilities, "expires_at": expires_at}


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
