"""OpenAPI schema that describes the real envelope: ``{"data": ...}`` around every 2xx body, and the
one error format on every error status an operation can answer."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from api.exceptions import CATALOGUE, ERROR_CODES, Conflict, PreconditionFailed

# Statuses any operation may answer: every catalogue status but the ones only some operations answer.
_OPERATION_SPECIFIC = {Conflict.status_code, PreconditionFailed.status_code}
COMMON_ERROR_STATUSES = sorted({str(error.status_code) for error in CATALOGUE} - {str(s) for s in _OPERATION_SPECIFIC})


class ErrorSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=ERROR_CODES)
    message = serializers.CharField()
    details = serializers.DictField(help_text="validation_error: field -> list of messages.")


class ErrorEnvelopeSerializer(serializers.Serializer):
    error = ErrorSerializer()


class EnvelopeAutoSchema(AutoSchema):
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
