"""OpenAPI schema that describes the real envelope: ``{"data": ...}`` around every 2xx body, and the
one error format on every error status an operation can answer."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from api.exceptions import CATALOGUE, ERROR_CODES, Conflict, PreconditionFailed
from api.serializers import StrictFieldsMixin

# Statuses any operation may answer: every catalogue status but the ones only some operations answer.
_OPERATION_SPECIFIC = {Conflict.status_code, PreconditionFailed.status_code}
COMMON_ERROR_STATUSES = sorted({str(error.status_code) for error in CATALOGUE} - {str(s) for s in _OPERATION_SPECIFIC})


def canonical_paths(endpoints: list[tuple], **kwargs) -> list[tuple]:
    """drf-spectacular preprocessing hook: each operation once, at its slash-less path. Routes accept an
    optional trailing slash (``api.routers``), and the index is served at ``/api/v1`` and ``/api/v1/``."""
    seen: set[tuple[str, str]] = set()
    canonical = []
    for path, path_regex, method, callback in endpoints:
        path = path.rstrip("/")
        if (path, method) not in seen:
            seen.add((path, method))
            canonical.append((path, path_regex, method, callback))
    return canonical


class ErrorSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=ERROR_CODES)
    message = serializers.CharField()
    details = serializers.DictField(help_text="validation_error: field -> list of messages.")


class ErrorEnvelopeSerializer(serializers.Serializer):
    error = ErrorSerializer()


class EnvelopeAutoSchema(AutoSchema):
    def get_serializer_name(self, serializer, direction) -> str:
        # A PUT body has its own component: it requires every writable field (see _map_serializer).
        name = super().get_serializer_name(serializer, direction)
        return f"{name.removesuffix('Serializer')}Replace" if self._is_full_update(serializer, direction) else name

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        """Request bodies as ``api.serializers.StrictFieldsMixin`` takes them: no other property, and for a
        PUT every writable field."""
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        if direction == "request" and isinstance(serializer, StrictFieldsMixin):
            schema["additionalProperties"] = False
            if self._is_full_update(serializer, direction):
                schema["required"] = list(schema["properties"])
        return schema

    def _is_full_update(self, serializer, direction) -> bool:
        return direction == "request" and self.method == "PUT" and isinstance(serializer, StrictFieldsMixin)

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        paginated_list = self._is_list_view(serializer) and self._get_paginator() is not None
        if not str(status_code).startswith("2") or "content" not in response or paginated_list:
            return response
        for media_type in response["content"].values():
            media_type["schema"] = {
                "type": "object",
                "required": ["data"],
                "properties": {"data": media_type["schema"]},
            }
        return response

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        statuses = [*COMMON_ERROR_STATUSES, *([str(PreconditionFailed.status_code)] if self._takes_if_match() else [])]
        for status_code in statuses:
            if status_code not in responses:
                responses[status_code] = self._get_response_for_code(ErrorEnvelopeSerializer, status_code)
                responses[status_code]["description"] = "Error in the one error format."
        return responses

    def _takes_if_match(self) -> bool:
        """An operation with an ``If-Match`` header answers 412 ``precondition_failed`` when it is stale."""
        return any(
            isinstance(parameter, OpenApiParameter)
            and parameter.location == OpenApiParameter.HEADER
            and parameter.name.lower() == "if-match"
            for parameter in self.get_override_parameters()
        )


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "tokens.authentication.PersonalAccessTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "pcms_ personal access token",
            "description": "A personal access token created in the admin (Settings > API Tokens).",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.SessionAuthentication"
    match_subclasses = True
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
