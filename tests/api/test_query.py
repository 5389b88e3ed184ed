"""Unknown or repeated query parameters are 422 naming them, never ignored."""

from http import HTTPStatus

import pytest
from django.http import QueryDict
from rest_framework.test import APIClient

from api.exceptions import ValidationError
from api.query import QueryParametersMixin, check_query_parameters, join_comma_separated
from tests.api.test_routers import api_patterns

pytestmark = pytest.mark.django_db


def details_for(query: str, accepted=("page", "per_page", "ordering"), comma_separated=("ordering",)) -> dict:
    with pytest.raises(ValidationError) as raised:
        check_query_parameters(QueryDict(query), accepted, comma_separated)
    return raised.value.detail


@pytest.mark.parametrize(
    ("query", "name", "message"),
    [
        ("limit=5", "limit", "Unknown query parameter. Did you mean per_page? Accepted: ordering, page, per_page."),
        ("sort=-id", "sort", "Unknown query parameter. Did you mean ordering? Accepted: ordering, page, per_page."),
        ("pgae=2", "pgae", "Unknown query parameter. Did you mean page? Accepted: ordering, page, per_page."),
        ("zzz=1", "zzz", "Unknown query parameter. Accepted: ordering, page, per_page."),
        ("page=1&page=2", "page", "Given 2 times; give it once."),
        ("page=1&page=2&ordering=title&ordering=-id", "page", "Given 2 times; give it once."),
        (f"{'x' * 100}=1", f"{'x' * 39}…", "Unknown query parameter. Accepted: ordering, page, per_page."),
    ],
)
def test_unknown_and_repeated_parameters_are_named(query, name, message):
    assert details_for(query) == {name: [message]}


def test_a_comma_separated_parameter_may_be_repeated():
    check_query_parameters(QueryDict("ordering=title&ordering=-id"), ("ordering",), ("ordering",))


def test_repeated_comma_separated_values_are_joined_in_order():
    joined = join_comma_separated(QueryDict("ordering=title&page=2&ordering=-id&fields=id"), ("ordering", "fields"))
    assert dict(joined.lists()) == {"ordering": ["title,-id"], "page": ["2"], "fields": ["id"]}


@pytest.mark.parametrize("ordering", ["ordering=title,-id", "ordering=title&ordering=-id"])
def test_posts_ordered_by_two_keys_either_way(ordering, editor, token_client):
    client = token_client(editor)
    ids = [client.post("/api/v1/posts", {"title": title}, format="json").json()["data"]["id"] for title in "ABA"]
    response = client.get(f"/api/v1/posts?{ordering}&fields=id")
    assert response.status_code == HTTPStatus.OK
    assert [post["id"] for post in response.json()["data"]] == [ids[2], ids[0], ids[1]]


def test_post_fields_repeated_are_joined(editor, token_client):
    client = token_client(editor)
    client.post("/api/v1/posts", {"title": "T"}, format="json")
    response = client.get("/api/v1/posts?fields=id&fields=title")
    assert list(response.json()["data"][0]) == ["id", "title"]


def test_accepted_parameters_and_the_format_override_pass():
    check_query_parameters(QueryDict("page=2&ordering=title,-id&format=json"), ("page", "ordering"))


def test_an_endpoint_without_parameters_says_so():
    assert details_for("x=1", accepted=()) == {"x": ["This endpoint takes no query parameters."]}


def test_at_most_ten_parameters_are_named():
    assert len(details_for("&".join(f"p{i}=1" for i in range(50)))) == 10


def test_every_api_view_checks_its_query_parameters():
    documentation = {"schema", "docs", "redoc"}
    for _regex, pattern in api_patterns():
        if pattern.name not in documentation:
            assert issubclass(pattern.callback.cls, QueryParametersMixin), pattern.name


@pytest.mark.parametrize(
    ("query", "name"),
    [("limit=5", "limit"), ("sort=title", "sort"), ("status=draft&status=published", "status"), ("stauts=x", "stauts")],
)
def test_posts_list_refuses_what_it_would_have_ignored(query, name, editor, token_client):
    response = token_client(editor).get(f"/api/v1/posts?{query}")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert list(response.json()["error"]["details"]) == [name]


def test_posts_list_accepts_its_filters_paging_and_fields(editor, token_client):
    query = "status=draft&type=post&ordering=title,-id&page=1&per_page=5&fields=id,title&search=x&author=eddie"
    assert token_client(editor).get(f"/api/v1/posts?{query}").status_code == HTTPStatus.OK


def test_item_takes_fields_but_not_paging(editor, token_client):
    client = token_client(editor)
    post = client.post("/api/v1/posts", {"title": "T"}, format="json").json()["data"]
    assert client.get(f"/api/v1/posts/{post['id']}?fields=id").status_code == HTTPStatus.OK
    assert client.get(f"/api/v1/posts/{post['id']}?page=2").status_code == HTTPStatus.UNPROCESSABLE_ENTITY


def test_user_and_tokens_refuse_unknown_parameters(editor, token_client, session_client):
    assert token_client(editor).get("/api/v1/user?expand=x").status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    tokens = session_client(editor)
    assert tokens.get("/api/v1/tokens?per_page=5").status_code == HTTPStatus.OK
    assert tokens.get("/api/v1/tokens?limit=5").status_code == HTTPStatus.UNPROCESSABLE_ENTITY


def test_authentication_comes_before_parameter_checks():
    assert APIClient().get("/api/v1/user?x=1").status_code == HTTPStatus.UNAUTHORIZED


def test_declared_repeatable_parameters_may_repeat_and_others_still_may_not():
    check_query_parameters(QueryDict("tag=a&tag=b&page=1"), ("tag", "page"), repeatable=("tag",))
    with pytest.raises(ValidationError) as raised:
        check_query_parameters(QueryDict("tag=a&tag=b&page=1&page=2"), ("tag", "page"), repeatable=("tag",))
    assert raised.value.detail == {"page": ["Given 2 times; give it once."]}


def test_a_view_declares_repeatable_parameters_and_a_list_takes_its_filtersets_too():
    from rest_framework.permissions import AllowAny
    from rest_framework.response import Response
    from rest_framework.test import APIRequestFactory
    from rest_framework.views import APIView

    class Tagged(QueryParametersMixin, APIView):
        authentication_classes: list = []
        permission_classes = [AllowAny]
        query_parameters = {"get": ["tag", "page"]}
        repeatable_parameters = ("tag",)

        def get(self, request):
            return Response(request.query_params.getlist("tag"))

    factory = APIRequestFactory()
    assert Tagged.as_view()(factory.get("/?tag=a&tag=b&page=1")).data == ["a", "b"]
    assert Tagged.as_view()(factory.get("/?page=1&page=2")).status_code == HTTPStatus.UNPROCESSABLE_ENTITY

    class Filters:
        base_filters = {"tag_any": None}
        repeatable_parameters = ("tag_any",)

    list_view = Tagged()
    list_view.action, list_view.filterset_class = "list", Filters
    assert list_view.get_repeatable_parameters(factory.get("/")) == {"tag", "tag_any"}
