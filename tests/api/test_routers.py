"""Every API route answers with and without a trailing slash, for every method, with no redirect."""

import re
from http import HTTPStatus

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from api.routers import OPTIONAL_SLASH

pytestmark = pytest.mark.django_db


def api_patterns(resolver=None, prefix=""):
    """``(regex, pattern)`` for every route under /api/v1/ but the catch-all 404."""
    for pattern in (resolver or get_resolver("api.urls")).url_patterns:
        regex = prefix + pattern.pattern.regex.pattern.lstrip("^")
        if isinstance(pattern, URLResolver):
            yield from api_patterns(pattern, regex)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield regex, pattern


def test_every_named_api_route_ends_in_an_optional_slash():
    routes = list(api_patterns())
    assert len(routes) >= 10
    for regex, pattern in routes:
        if pattern.name != "index":  # /api/v1/ itself; polycms.urls routes /api/v1
            assert regex.endswith(f"{OPTIONAL_SLASH}$"), pattern.name


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1",
        "/api/v1/",
        "/api/v1/health",
        "/api/v1/health/",
        "/api/v1/schema",
        "/api/v1/schema/",
        "/api/v1/docs",
        "/api/v1/docs/",
        "/api/v1/redoc",
        "/api/v1/redoc/",
        "/api/v1/posts",
        "/api/v1/posts/",
    ],
)
def test_public_routes_answer_with_and_without_the_slash(path):
    response = APIClient().get(path)
    assert response.status_code == HTTPStatus.OK, (path, response.status_code)


@pytest.mark.parametrize("slash", ["", "/"])
def test_item_and_user_routes_answer_with_and_without_the_slash(slash, editor, token_client):
    client = token_client(editor)
    created = client.post(f"/api/v1/posts{slash}", {"title": "Slash", "excerpt": "kept"}, format="json")
    assert created.status_code == HTTPStatus.CREATED
    post = created.json()["data"]
    assert post["excerpt"] == "kept"  # the body reached the view: no redirect lost it
    assert created["Location"].endswith(f"/api/v1/posts/{post['id']}")
    item = f"/api/v1/posts/{post['id']}{slash}"
    assert client.get(item).status_code == HTTPStatus.OK
    assert client.get(f"/api/v1/posts/{post['slug']}{slash}").status_code == HTTPStatus.OK
    patched = client.patch(item, {"title": "Patched"}, format="json")
    assert patched.status_code == HTTPStatus.OK
    assert patched.json()["data"]["title"] == "Patched"
    assert client.get(f"/api/v1/user{slash}").json()["data"]["username"] == editor.username
    assert client.delete(item).status_code == HTTPStatus.NO_CONTENT


def test_schema_lists_each_operation_once_at_its_slashless_path():
    paths = APIClient().get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    assert {"/api/v1", "/api/v1/posts", "/api/v1/posts/{id}", "/api/v1/user", "/api/v1/tokens"} <= set(paths)
    assert not [path for path in paths if path.endswith("/")]


@pytest.mark.parametrize("path", ["/api/v1/docs", "/api/v1/docs/"])
def test_swagger_ui_loads_its_script_with_and_without_the_slash(path):
    page = APIClient().get(path).content.decode()
    (script_url,) = re.findall(r'src="([^"]*\?script=?)"', page)
    script = APIClient().get(script_url)
    assert script.status_code == HTTPStatus.OK
    assert "/api/v1/schema" in script.content.decode()
