"""v1 endpoints that belong to no app: the index and health."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.exceptions import ServiceUnavailable
from api.query import QueryParametersMixin

API_VERSION = "v1"

# What the index lists: resource name -> URL name. The test of the index checks that every API route is here.
RESOURCES = {
    "posts": "api:post-list",
    "categories": "api:category-list",
    "tags": "api:tag-list",
    "media": "api:media-list",
    "tokens": "api:token-list",
    "hooks": "api:hook-list",
    "user": "api:user",
    "health": "api:health",
    "auth_csrf": "api:auth-csrf",
    "auth_login": "api:auth-login",
    "auth_logout": "api:auth-logout",
}
DOCUMENTATION = {"docs": "api:docs", "redoc": "api:redoc", "schema": "api:schema"}


class IndexView(QueryParametersMixin, APIView):
    """``GET /api/v1``: what this API is, its resources' URLs and its documentation. No authentication."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "ApiIndex",
            {
                "name": serializers.CharField(),
                "version": serializers.CharField(help_text="The API version in the URL path."),
                "schema_version": serializers.CharField(help_text="The OpenAPI document's version."),
                "resources": serializers.DictField(child=serializers.URLField()),
                **{name: serializers.URLField() for name in DOCUMENTATION},
            },
        )
    )
    def get(self, request: Request) -> Response:
        def url(name: str) -> str:
            return request.build_absolute_uri(reverse(name))

        return Response(
            {
                "name": settings.SPECTACULAR_SETTINGS["TITLE"],
                "version": API_VERSION,
                "schema_version": settings.SPECTACULAR_SETTINGS["VERSION"],
                "resources": {resource: url(name) for resource, name in RESOURCES.items()},
                **{name: url(url_name) for name, url_name in DOCUMENTATION.items()},
            }
        )


class HealthView(QueryParametersMixin, APIView):
    """Liveness and database reachability, for load balancers. No authentication."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer("Health", {"status": serializers.CharField(), "database": serializers.CharField()})
    )
    def get(self, request: Request) -> Response:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception as exc:  # any driver failure means "not ready"
            raise ServiceUnavailable() from exc
        return Response({"status": "ok", "database": "ok"})
