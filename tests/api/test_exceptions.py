"""The error catalogue: one class per public code, with its status; DRF's own exceptions map onto it."""

import json
from http import HTTPStatus

import pytest
from rest_framework import exceptions as drf

from api import exceptions
from api.schema import ErrorSerializer, RateLimitedSerializer, ValidationErrorSerializer

EXPECTED = {
    "parse_error": 400,
    "validation_error": 422,
    "not_authenticated": 401,
    "authentication_failed": 401,
    "permission_denied": 403,
    "csrf_failed": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "not_acceptable": 406,
    "conflict": 409,
    "length_required": 411,
    "precondition_failed": 412,
    "request_too_large": 413,
    "unsupported_media_type": 415,
    "rate_limited": 429,
    "server_error": 500,
    "service_unavailable": 503,
}


def test_catalogue_is_every_public_code_with_its_status():
    assert {error.default_code: error.status_code for error in exceptions.CATALOGUE} == EXPECTED


def test_schema_error_codes_come_from_the_catalogue():
    serializers = (ErrorSerializer, ValidationErrorSerializer, RateLimitedSerializer)
    codes = [code for serializer in serializers for code in serializer().fields["code"].choices]
    assert sorted(codes) == sorted(EXPECTED)
    assert list(ValidationErrorSerializer().fields["code"].choices) == ["validation_error"]
    assert list(RateLimitedSerializer().fields["code"].choices) == ["rate_limited"]


@pytest.mark.parametrize(
    ("raised", "code"),
    [
        (drf.ParseError(), "parse_error"),
        (drf.ValidationError({"x": ["bad"]}), "validation_error"),
        (drf.NotAuthenticated(), "not_authenticated"),
        (drf.AuthenticationFailed(), "authentication_failed"),
        (drf.PermissionDenied(), "permission_denied"),
        (drf.NotFound(), "not_found"),
        (drf.MethodNotAllowed("PUT"), "method_not_allowed"),
        (drf.NotAcceptable(), "not_acceptable"),
        (drf.UnsupportedMediaType("text/plain"), "unsupported_media_type"),
        (drf.Throttled(wait=3), "rate_limited"),
        (drf.APIException(), "server_error"),
        (exceptions.CsrfFailed("no token"), "csrf_failed"),
    ],
)
def test_drf_exceptions_answer_with_catalogue_codes(raised, code):
    assert exceptions.public_code(raised) == code


@pytest.mark.parametrize("error", exceptions.CATALOGUE, ids=lambda error: error.default_code)
def test_error_response_renders_each_class_in_the_one_format(error):
    args = {"MethodNotAllowed": ("PUT",), "UnsupportedMediaType": ("text/plain",)}.get(error.__name__, ())
    response = exceptions.error_response(error(*args))
    body = json.loads(response.content)
    assert response.status_code == error.status_code
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == error.default_code


def test_declared_details_reach_the_body():
    response = exceptions.error_response(exceptions.RequestTooLarge("too big", details={"limit_bytes": 10}))
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert json.loads(response.content)["error"]["details"] == {"limit_bytes": 10}


@pytest.mark.parametrize(
    ("content_type", "said"),
    [
        ("application/x-www-form-urlencoded", 'Unsupported media type "application/x-www-form-urlencoded"'),
        ("text/plain; charset=utf-8", 'Unsupported media type "text/plain; charset=utf-8"'),
        ("", "no Content-Type header"),
    ],
    ids=["form", "text", "none"],
)
def test_unsupported_media_type_names_the_one_received_and_says_to_send_json(editor, token_client, content_type, said):
    response = token_client(editor).generic("POST", "/api/v1/posts", "title=x", content_type=content_type)
    assert response.status_code == HTTPStatus.UNSUPPORTED_MEDIA_TYPE
    error = response.json()["error"]
    assert error["code"] == "unsupported_media_type"
    assert said in error["message"]
    assert "Content-Type: application/json" in error["message"]
