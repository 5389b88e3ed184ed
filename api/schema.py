"""OpenAPI schema that describes the real envelope and makes generated clients (openapi-typescript,
openapi-python-client) typed right: ``{"data": ...}`` around every 2xx body; every field a response always
holds required; per operation the credentials it accepts, the error statuses it can answer (``error.details``
typed where a code has a fixed shape) and the headers that matter (``Location``, ``Retry-After``…)."""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiParameter
from rest_framework import permissions, serializers

from api.exceptions import (
    CATALOGUE,
    AuthenticationFailed,
    LengthRequired,
    NotFound,
    ParseError,
    PermissionDenied,
    PreconditionFailed,
    RateLimited,
    RequestTooLarge,
    UnsupportedMediaType,
    ValidationError,
)
from api.serializers import StrictFieldsMixin

CSRF_HEADER = "X-CSRFToken"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# Statuses any operation may answer: 406 (Accept names no format it renders), 422 (an unknown or repeated query
# parameter), 500 and 503. The others depend on what the operation takes (see EnvelopeAutoSchema.error_statuses).
ALWAYS = (406, 422, 500, 503)


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


def _codes_of(status_code: int) -> list[str]:
    return [error.default_code for error in CATALOGUE if error.status_code == status_code]


# Statuses whose error has a body of its own, with ``details`` typed (see ERROR_BODIES).
_TYPED_STATUSES = (ValidationError.status_code, RateLimited.status_code)


class ErrorSerializer(serializers.Serializer):
    """The error of every status but 422 and 429 (``ValidationErrorSerializer``, ``RateLimitedSerializer``)."""

    code = serializers.ChoiceField(
        choices=[error.default_code for error in CATALOGUE if error.status_code not in _TYPED_STATUSES]
    )
    message = serializers.CharField()
    details = serializers.DictField(
        help_text="More about the error, by code: authentication_failed: reason; request_too_large: limit_bytes."
    )


class ErrorEnvelopeSerializer(serializers.Serializer):
    error = ErrorSerializer()


class ValidationErrorSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=_codes_of(ValidationError.status_code))
    message = serializers.CharField(help_text="The one problem, or how many there are.")
    details = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Where (a field, e.g. content_raw.blocks[3].data.text, a query parameter or a header) -> messages.",
    )


class ValidationErrorEnvelopeSerializer(serializers.Serializer):
    error = ValidationErrorSerializer()


class RateLimitedDetailsSerializer(serializers.Serializer):
    retry_after = serializers.IntegerField(help_text="Seconds to wait, as in the Retry-After header.")


class RateLimitedSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=_codes_of(RateLimited.status_code))
    message = serializers.CharField()
    details = RateLimitedDetailsSerializer()


class RateLimitedEnvelopeSerializer(serializers.Serializer):
    error = RateLimitedSerializer()


ERROR_BODIES = {
    ValidationError.status_code: ValidationErrorEnvelopeSerializer,
    RateLimited.status_code: RateLimitedEnvelopeSerializer,
}
# Headers of responses, by status.
_HEADER = {"type": "string"}
RESPONSE_HEADERS = {
    "201": {"Location": {"schema": _HEADER, "description": "The URL of the new resource."}},
    "401": {
        "WWW-Authenticate": {
            "schema": _HEADER,
            "description": 'How to authenticate: Bearer realm="api" (Session realm="api" on sign-in).',
        }
    },
    "429": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before retrying."}},
}


class EnvelopeAutoSchema(AutoSchema):
    def get_serializer_name(self, serializer, direction) -> str:
        # A PUT body has its own component: it requires every writable field (see _map_serializer).
        name = super().get_serializer_name(serializer, direction)
        return f"{name.removesuffix('Serializer')}Replace" if self._is_full_update(serializer, direction) else name

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        """Request bodies as ``api.serializers.StrictFieldsMixin`` takes them: no other property, and for a
        PUT every writable field. Responses hold every field (``optional_response_fields()`` names exceptions)."""
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        if direction == "request" and isinstance(serializer, StrictFieldsMixin):
            schema["additionalProperties"] = False
            if self._is_full_update(serializer, direction):
                schema["required"] = list(schema["properties"])
        elif direction == "response" and schema.get("properties"):
            optional = optional_response_fields(serializer)
            required = [name for name in schema["properties"] if name not in optional]
            if required:
                schema["required"] = required
        return schema

    def _is_full_update(self, serializer, direction) -> bool:
        return direction == "request" and self.method == "PUT" and isinstance(serializer, StrictFieldsMixin)

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        headers = RESPONSE_HEADERS.get(str(status_code))
        if headers:
            response["headers"] = {**headers, **response.get("headers", {})}
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
        for status_code in self.error_statuses():
            if str(status_code) not in responses:
                body = ERROR_BODIES.get(status_code, ErrorEnvelopeSerializer)
                responses[str(status_code)] = self._get_response_for_code(body, str(status_code))
                responses[str(status_code)]["description"] = _describe(status_code)
        return dict(sorted(responses.items()))

    def error_statuses(self) -> list[int]:
        """The error statuses this operation can answer (besides ones it declares itself, such as 409)."""
        statuses = set(ALWAYS)
        if self.method in BODY_METHODS:  # a malformed, chunked, oversized or non-JSON body
            statuses |= {ParseError.status_code, LengthRequired.status_code, RequestTooLarge.status_code}
            statuses.add(UnsupportedMediaType.status_code)
        headers = self._header_parameters()
        if headers & {"if-match", "if-none-match"}:
            statuses.add(ParseError.status_code)  # a malformed entity-tag
        if "if-match" in headers or (self.method not in permissions.SAFE_METHODS and "if-none-match" in headers):
            statuses.add(PreconditionFailed.status_code)
        if self.view.get_authenticators():
            statuses |= {AuthenticationFailed.status_code, PermissionDenied.status_code}
        if "{" in self.path or self._is_list_view():
            statuses.add(NotFound.status_code)  # an unknown id, or a page past the last
        if self.view.get_throttles():
            statuses.add(RateLimited.status_code)
        return sorted(statuses)

    def _header_parameters(self) -> set[str]:
        return {
            parameter.name.lower()
            for parameter in self.get_override_parameters()
            if isinstance(parameter, OpenApiParameter)
            and parameter.location == OpenApiParameter.HEADER
            and not parameter.response
        }

    def get_auth(self) -> list[dict[str, list]]:
        """What the operation accepts: ``[]`` nothing but anonymous calls; else a bearer token, a session (with
        ``X-CSRFToken`` on unsafe methods: ``csrfToken``) and ``{}`` when anonymous callers may call it too
        (``AllowAny``, or a permission class with ``anonymous_reads`` on safe methods)."""
        if not self.view.get_authenticators():
            return []
        auths = [requirement for requirement in super().get_auth() if requirement]
        anonymous = any(
            isinstance(permission, permissions.AllowAny)
            or (getattr(permission, "anonymous_reads", False) and self.method in permissions.SAFE_METHODS)
            for permission in self.view.get_permissions()
        )
        if anonymous:
            needs_csrf = (
                getattr(self.view, "anonymous_needs_csrf", False) and self.method not in permissions.SAFE_METHODS
            )
            auths.append({"csrfToken": []} if needs_csrf else {})
        return auths

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        operation.setdefault("security", [])
        if any("csrfToken" in requirement for requirement in operation["security"]):
            _register_csrf_scheme(registry)
            parameters = operation.setdefault("parameters", [])
            if not any(parameter["name"] == CSRF_HEADER for parameter in parameters):
                parameters.append(
                    {
                        "in": "header",
                        "name": CSRF_HEADER,
                        "schema": {"type": "string"},
                        "description": "Signed in by session (cookie): the token from GET /auth/csrf or login. "
                        "Not needed with a bearer token.",
                    }
                )
        return operation


def optional_response_fields(serializer) -> frozenset[str]:
    """Fields a response of ``serializer`` may leave out: its ``Meta.optional_response_fields``; none by default."""
    return frozenset(getattr(getattr(serializer, "Meta", None), "optional_response_fields", ()))


def _describe(status_code: int) -> str:
    codes = ", ".join(_codes_of(status_code))
    return f"Error in the one error format ({codes})."


def _register_csrf_scheme(registry) -> None:
    registry.register_on_missing(
        ResolvedComponent(
            name="csrfToken",
            type=ResolvedComponent.SECURITY_SCHEMA,
            object="csrfToken",
            schema={
                "type": "apiKey",
                "in": "header",
                "name": CSRF_HEADER,
                "description": "Unsafe session requests send the CSRF token (GET /auth/csrf) in this header.",
            },
        )
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

    def get_security_requirement(self, auto_schema):
        # A view whose permissions refuse every token (managing tokens) takes sessions only.
        if any(getattr(permission, "refuses_tokens", False) for permission in auto_schema.view.get_permissions()):
            return None
        return {self.name: []}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.SessionAuthentication"
    match_subclasses = True
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}

    def get_security_requirement(self, auto_schema):
        if auto_schema.method in permissions.SAFE_METHODS:
            return {self.name: []}
        return {self.name: [], "csrfToken": []}


# ---------------------------------------------------------------------------- postprocessing
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def postprocess_schema(result: dict[str, Any], generator, **kwargs) -> dict[str, Any]:
    """drf-spectacular postprocessing hook, after the enums': names for enum values that are no identifiers
    (``-created_at`` is ``CREATED_AT_DESC`` in ``x-enum-varnames``, not ``VALUE_0``), and no component that
    nothing refers to (``AuthorRequest``: the read-only author of a request)."""
    for schema in _walk(result):
        enum = schema.get("enum")
        if enum and all(isinstance(value, str) for value in enum) and not all(map(_IDENTIFIER.match, enum)):
            schema["x-enum-varnames"] = [_enum_varname(value) for value in enum]
    _drop_unreferenced(result.get("components", {}).get("schemas", {}), result)
    return result


def _enum_varname(value: str) -> str:
    name = re.sub(r"\W+", "_", value.removeprefix("-")).strip("_").upper() or "EMPTY"
    return f"{name}_DESC" if value.startswith("-") else name


def _walk(node: Any):
    if isinstance(node, dict):
        yield node
        for child in node.values():
            yield from _walk(child)
    elif isinstance(node, list):
        for child in node:
            yield from _walk(child)


def _drop_unreferenced(schemas: dict[str, Any], result: dict[str, Any]) -> None:
    while True:
        referenced = {
            node["$ref"].rsplit("/", 1)[1]
            for name, part in (("paths", result.get("paths", {})), *((n, s) for n, s in schemas.items()))
            for node in _walk(part)
            if isinstance(node.get("$ref"), str) and node["$ref"].rsplit("/", 1)[1] != name
        }
        unreferenced = [name for name in schemas if name not in referenced]
        if not unreferenced:
            return
        for name in unreferenced:
            del schemas[name]
