"""The OpenAPI schema says what the server enforces."""

import json

import pytest
from rest_framework.test import APIClient

from posts.content.blocks import BLOCK_TYPES

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def spec(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        return APIClient().get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def request_schema(spec: dict, path: str, method: str) -> dict:
    ref = spec["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return spec["components"]["schemas"][ref.rsplit("/", 1)[1]]


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/api/v1/posts", "post"),
        ("/api/v1/posts/{id}", "put"),
        ("/api/v1/posts/{id}", "patch"),
        ("/api/v1/tokens", "post"),
        ("/api/v1/auth/login", "post"),
    ],
)
def test_request_bodies_allow_no_other_properties(spec, path, method):
    assert request_schema(spec, path, method)["additionalProperties"] is False


def test_put_requires_every_writable_field_and_post_only_the_title(spec):
    put = request_schema(spec, "/api/v1/posts/{id}", "put")
    assert set(put["required"]) == set(put["properties"]) >= {"title", "excerpt", "content_raw", "status"}
    assert request_schema(spec, "/api/v1/posts", "post")["required"] == ["title"]


# ---------------------------------------------------------------------------- a schema for typed clients (#19)
ANY_STRING = {"type": "string", "description": "The same document as a JSON string."}


def test_schema_generates_without_warnings_and_validates(tmp_path):
    from django.core.management import call_command
    from openapi_spec_validator import validate

    path = tmp_path / "openapi.json"
    call_command("spectacular", "--format", "openapi-json", "--file", str(path), "--validate", "--fail-on-warn")
    validate(json.loads(path.read_text()))


def test_the_editorjs_document_is_named_blocks_discriminated_on_type(spec):
    schemas = spec["components"]["schemas"]
    document = schemas["EditorJsDocument"]
    assert document["required"] == ["blocks"]
    assert document["properties"]["blocks"]["items"] == {"$ref": "#/components/schemas/EditorJsBlock"}
    union = schemas["EditorJsBlock"]
    assert union["discriminator"]["propertyName"] == "type"
    assert set(union["discriminator"]["mapping"]) == set(BLOCK_TYPES)
    header = schemas["EditorJsHeaderBlock"]
    assert header["properties"]["type"] == {"type": "string", "enum": ["header"]}
    assert header["required"] == ["type", "data"]
    assert schemas["EditorJsHeaderBlockData"]["required"] == ["text", "level"]


def test_content_raw_is_an_object_in_responses_and_an_object_or_a_string_in_requests(spec):
    schemas = spec["components"]["schemas"]
    document = {"$ref": "#/components/schemas/EditorJsDocument"}
    assert schemas["Post"]["properties"]["content_raw"] == document
    assert "content_raw" in schemas["Post"]["required"]
    for name in ("PostRequest", "PatchedPostRequest", "PostReplaceRequest"):
        assert schemas[name]["properties"]["content_raw"]["oneOf"] == [document, ANY_STRING]


def test_every_response_component_requires_what_it_always_holds(spec):
    schemas = spec["components"]["schemas"]
    for name in ("CurrentUser", "Token", "TokenCreated", "Category", "Tag", "Webhook", "Author", "Health"):
        assert set(schemas[name]["required"]) == set(schemas[name]["properties"]), name
    assert "content_raw" not in schemas["PostSummary"]["required"]
    assert "slug" in schemas["PostSummary"]["required"]


def test_a_nullable_token_is_one_nullable_object_with_typed_abilities(spec):
    token = spec["components"]["schemas"]["CurrentUser"]["properties"]["token"]
    assert token["nullable"] is True and "allOf" not in token
    assert token["properties"]["abilities"]["items"] == {"$ref": "#/components/schemas/AbilitiesEnum"}
    assert "AuthorRequest" not in spec["components"]["schemas"]


@pytest.mark.parametrize(
    ("path", "method", "security"),
    [
        ("/api/v1/health", "get", []),
        ("/api/v1/auth/csrf", "get", []),
        ("/api/v1", "get", []),
        ("/api/v1/posts/{id}", "get", [{"bearerAuth": []}, {"cookieAuth": []}, {}]),
        ("/api/v1/posts/{id}", "patch", [{"bearerAuth": []}, {"cookieAuth": [], "csrfToken": []}]),
        ("/api/v1/user", "get", [{"bearerAuth": []}, {"cookieAuth": []}]),
        ("/api/v1/tokens", "get", [{"cookieAuth": []}]),
        ("/api/v1/tokens", "post", [{"cookieAuth": [], "csrfToken": []}]),
        ("/api/v1/auth/login", "post", [{"cookieAuth": [], "csrfToken": []}, {"csrfToken": []}]),
    ],
)
def test_each_operation_declares_what_it_accepts(spec, path, method, security):
    assert spec["paths"][path][method]["security"] == security


def test_unsafe_session_operations_declare_the_csrf_header(spec):
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if any("csrfToken" in requirement for requirement in operation.get("security", [])):
                names = [parameter["name"] for parameter in operation.get("parameters", [])]
                assert "X-CSRFToken" in names, (method, path)


@pytest.mark.parametrize(
    ("path", "method", "statuses"),
    [
        ("/api/v1/health", "get", {"200", "406", "422", "429", "500", "503"}),
        ("/api/v1/user", "get", {"200", "401", "403", "406", "422", "429", "500", "503"}),
        (
            "/api/v1/posts/{id}",
            "patch",
            {"200", "400", "401", "403", "404", "406", "411", "412", "413", "415", "422", "429", "500", "503"},
        ),
    ],
)
def test_operations_list_the_statuses_they_can_answer(spec, path, method, statuses):
    assert set(spec["paths"][path][method]["responses"]) == statuses


def test_error_details_are_typed_where_the_code_fixes_them(spec):
    responses = spec["paths"]["/api/v1/posts"]["post"]["responses"]
    schemas = spec["components"]["schemas"]
    assert body_ref(responses["422"]) == "ValidationErrorEnvelope"
    assert body_ref(responses["429"]) == "RateLimitedEnvelope"
    assert schemas["ValidationError"]["properties"]["details"]["additionalProperties"] == {
        "type": "array",
        "items": {"type": "string"},
    }
    assert schemas["RateLimitedDetails"]["required"] == ["retry_after"]


def test_headers_of_the_conditional_update_flow_are_documented(spec):
    posts, post = spec["paths"]["/api/v1/posts"], spec["paths"]["/api/v1/posts/{id}"]
    assert {"Location", "ETag", "Idempotent-Replayed"} <= set(posts["post"]["responses"]["201"]["headers"])
    for method in ("get", "put", "patch"):
        assert "ETag" in post[method]["responses"]["200"]["headers"], method
    assert "ETag" in post["get"]["responses"]["304"]["headers"]
    assert "Retry-After" in post["patch"]["responses"]["429"]["headers"]
    assert "WWW-Authenticate" in post["patch"]["responses"]["401"]["headers"]
    parameters = {parameter["name"] for parameter in post["patch"]["parameters"]}
    assert {"If-Match", "If-None-Match"} <= parameters
    assert "Idempotency-Key" in {parameter["name"] for parameter in posts["post"]["parameters"]}


def test_descending_orderings_have_enum_names(spec):
    (ordering,) = [p for p in spec["paths"]["/api/v1/posts"]["get"]["parameters"] if p["name"] == "ordering"]
    items = ordering["schema"]["items"]
    names = dict(zip(items["enum"], items["x-enum-varnames"], strict=True))
    assert names["-created_at"] == "CREATED_AT_DESC" and names["title"] == "TITLE"


def body_ref(response: dict) -> str:
    schema = response["content"]["application/json"]["schema"]
    return schema["$ref"].rsplit("/", 1)[1]
