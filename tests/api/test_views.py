"""``GET /api/v1``: the index of the API."""

from http import HTTPStatus

import pytest
from rest_framework.test import APIClient

from api.views import API_VERSION, RESOURCES
from tests.api.test_routers import api_patterns

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1", "/api/v1/"])
def test_index_lists_resources_docs_and_version_without_authentication(path):
    response = APIClient().get(path, HTTP_ACCEPT="application/json")
    assert response.status_code == HTTPStatus.OK  # not a redirect, not a 404
    index = response.json()["data"]
    assert index["version"] == API_VERSION == "v1"
    assert index["schema_version"]
    assert index["resources"]["posts"] == "http://testserver/api/v1/posts"
    assert index["resources"]["user"] == "http://testserver/api/v1/user"
    assert index["docs"] == "http://testserver/api/v1/docs"
    assert index["schema"] == "http://testserver/api/v1/schema"
    for url in [*index["resources"].values(), index["docs"], index["schema"], index["redoc"]]:
        assert APIClient().options(url).status_code != HTTPStatus.NOT_FOUND, url


def test_index_names_every_collection_and_endpoint():
    documentation = {"api:index", "api:docs", "api:redoc", "api:schema"}
    routes = {f"api:{pattern.name}" for _regex, pattern in api_patterns()}
    items = {name for name in routes if name.endswith("-detail")}
    assert routes - items - documentation == set(RESOURCES.values())


def test_index_refuses_unknown_query_parameters():
    response = APIClient().get("/api/v1?x=1")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
