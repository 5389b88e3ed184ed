"""Hostile values that random fuzzing rarely draws: each answers 4xx in the error format, never a 500 or
an HTML page. (Each case here once crashed or answered HTML.)"""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import quote

import pytest
from rest_framework.test import APIClient

from posts import services as post_services

ARABIC_INDIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def error_code(response) -> str:
    assert response["Content-Type"] == "application/json", response.content[:200]
    return response.json()["error"]["code"]


@pytest.fixture
def bearer_client(admin_user, token_client) -> APIClient:
    return token_client(admin_user)


@pytest.fixture
def post(admin_user):
    return post_services.post_create(author=admin_user, data={"title": "Target"})


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
@pytest.mark.parametrize(
    "lookup",
    [
        pytest.param(lambda post: "²", id="superscript-digit"),  # str.isdigit() is true, int() refuses it
        pytest.param(lambda post: str(post.pk).translate(ARABIC_INDIC_DIGITS), id="non-ascii-digits-of-its-id"),
        pytest.param(lambda post: f"{post.slug}\x00", id="nul"),  # PostgreSQL refuses NUL in a query
    ],
)
def test_post_lookup_that_is_neither_an_ascii_id_nor_a_slug_is_not_found(bearer_client, post, method, lookup):
    response = getattr(bearer_client, method)(f"/api/v1/posts/{quote(lookup(post))}")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert error_code(response) == "not_found"


@pytest.mark.parametrize("author", ["²", str(2**63), str(10**30)])
def test_author_filter_with_a_number_no_id_can_have_matches_nothing(bearer_client, post, author):
    response = bearer_client.get("/api/v1/posts", {"author": author})

    assert response.status_code == HTTPStatus.OK
    assert response.json()["data"] == []


@pytest.mark.parametrize("moment", ["2020-02-17T07:45:15+19:50", "2020-02-17T07:45:15-23:59"])
def test_date_time_filter_with_an_offset_postgresql_refuses_is_compared_in_utc(bearer_client, post, moment):
    response = bearer_client.get("/api/v1/posts", {"created_after": moment})

    assert response.status_code == HTTPStatus.OK
    assert [item["id"] for item in response.json()["data"]] == [post.pk]


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_date_time_filter_outside_the_calendar_in_utc_is_invalid(bearer_client, moment):
    response = bearer_client.get("/api/v1/posts", {"published_before": moment})

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert error_code(response) == "validation_error"


def test_json_nested_deeper_than_the_parser_can_go_is_a_parse_error(bearer_client):
    depth = 5_000  # past Python's recursion limit, well under the body size limit
    body = '{"title": "deep", "content_raw": ' + "[" * depth + "]" * depth + "}"

    response = bearer_client.post("/api/v1/posts", body, content_type="application/json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert error_code(response) == "parse_error"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_unsafe_method_on_an_unknown_api_path_is_not_found_in_the_error_format(method):
    client = APIClient(enforce_csrf_checks=True)  # as a browser is: CSRF must not turn this into an HTML 403

    response = getattr(client, method)("/api/v1/no-such-endpoint/x.y")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert error_code(response) == "not_found"


def test_slug_made_from_a_title_with_underscores_is_one_the_api_accepts_back(bearer_client):
    created = bearer_client.post("/api/v1/posts", {"title": "last_used_ip"}, format="json").json()["data"]

    response = bearer_client.patch(f"/api/v1/posts/{created['id']}", {"slug": created["slug"]}, format="json")

    assert response.status_code == HTTPStatus.OK, response.json()
    assert response.json()["data"]["slug"] == "last-used-ip"
