"""Token self-service (``/api/v1/tokens``) and the current user (``/api/v1/user``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.caching import NoStoreMixin
from api.query import QueryParametersMixin
from polycms.http import client_ip
from tokens import services as token_services
from tokens.models import PersonalAccessToken
from tokens.permissions import HasTokenAbility, ManagesOwnTokens, RefuseBearerToken
from tokens.serializers import CurrentUserSerializer, TokenCreatedSerializer, TokenSerializer, current_user_data


class CurrentUserView(QueryParametersMixin, NoStoreMixin, APIView):
    """``GET /api/v1/user``: who the caller is, what they may do, and the token in use."""

    permission_classes = [IsAuthenticated, HasTokenAbility]
    token_resource = "user"

    @extend_schema(responses=CurrentUserSerializer)
    def get(self, request: Request) -> Response:
        # The serializer's representation without the serializer object (its fields are the schema's contract).
        return Response(current_user_data(request.user, request.auth))


class TokenViewSet(
    QueryParametersMixin,
    NoStoreMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's own tokens. Session sign-in only: a bearer token cannot mint or revoke tokens.
    ``DELETE`` revokes (the token stays listed as revoked)."""

    queryset = PersonalAccessToken.objects.none()  # for the schema; get_queryset narrows to the caller's
    serializer_class = TokenSerializer
    permission_classes = [IsAuthenticated, RefuseBearerToken, ManagesOwnTokens]

    def get_queryset(self):
        return PersonalAccessToken.objects.filter(owner=self.request.user)

    def get_serializer_class(self):
        return TokenCreatedSerializer if self.action == "create" else TokenSerializer

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, plaintext = token_services.token_create(
            owner=request.user, ip=client_ip(request), **serializer.validated_data
        )
        token.token = plaintext
        response = Response(self.get_serializer(token).data, status=status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(f"{request.path.rstrip('/')}/{token.pk}")
        return response

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        # Idempotent: revoking an already-revoked token is still 204.
        token_services.token_revoke(token=self.get_object(), by=request.user, ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
