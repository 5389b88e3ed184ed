"""The OpenAPI schema says what the server enforces."""

import pytest
from rest_framework.test import APIClient

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
