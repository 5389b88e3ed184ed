"""The OpenAPI schema describes categories, tags and a post's sets as the server takes and gives them."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def spec(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        return APIClient().get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def parameters(spec: dict, path: str, method: str) -> dict[str, dict]:
    return {parameter["name"]: parameter for parameter in spec["paths"][path][method].get("parameters", [])}


def test_categories_and_tags_are_documented_with_their_parameters_and_answers(spec):
    for resource in ("categories", "tags"):
        assert set(spec["paths"][f"/api/v1/{resource}"]) == {"get", "post"}
        assert set(spec["paths"][f"/api/v1/{resource}/{{id}}"]) == {"get", "put", "patch", "delete"}
    assert {"parent", "search", "ordering", "tree", "page", "per_page"} <= set(
        parameters(spec, "/api/v1/categories", "get")
    )
    delete = spec["paths"]["/api/v1/categories/{id}"]["delete"]
    assert "reparent" in parameters(spec, "/api/v1/categories/{id}", "delete")
    assert {"204", "409"} <= set(delete["responses"])
    assert spec["components"]["schemas"]["CategoryRequest"]["additionalProperties"] is False


def test_the_category_list_is_a_page_or_the_nested_tree(spec):
    schema = spec["paths"]["/api/v1/categories"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    page, tree = schema["oneOf"]
    assert page["$ref"] == "#/components/schemas/PaginatedCategoryList"
    assert tree["properties"]["data"]["items"]["$ref"] == "#/components/schemas/CategoryNode"
    assert tree["additionalProperties"] is False  # an empty page ({data, meta, links}) is not a tree
    node = spec["components"]["schemas"]["CategoryNode"]["properties"]
    assert node["children"]["items"]["$ref"] == "#/components/schemas/CategoryNode"
    assert {"path", "depth", "post_count"} <= set(node)


def test_a_post_reads_its_sets_as_objects_and_writes_them_as_references(spec):
    schemas = spec["components"]["schemas"]
    read = schemas["Post"]["properties"]["tags"]
    assert read["items"]["required"] == ["id", "name", "slug"]
    written = schemas["PostRequest"]["properties"]["categories"]
    assert [choice.get("type") for choice in written["items"]["oneOf"]] == ["integer", "string", "object"]
    assert "categories" not in schemas["PostRequest"].get("required", [])
    assert {"categories", "tags"} <= set(schemas["PostReplaceRequest"]["required"])


def test_the_post_list_documents_its_taxonomy_filters(spec):
    listed = parameters(spec, "/api/v1/posts", "get")
    assert {"category", "category_exact", "tag", "tag_any"} <= set(listed)
    assert listed["tag"]["schema"]["type"] == "array" and listed["tag"].get("explode", True) is True
