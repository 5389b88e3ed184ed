"""Conditional GETs of /api/v1/posts: every item and list answer has an ETag; If-None-Match naming it is
answered 304 (no body) after authentication and visibility, for as long as the answer would be the same."""

from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from posts.models import Post

pytestmark = pytest.mark.django_db

FULL = "id,type,title,slug,excerpt,content_raw,content_html,status,published_at,author,meta_title,meta_description"


@pytest.fixture
def editor_client(editor, token_client):
    client = token_client(editor)
    client.get("/api/v1/user")  # last_used_at written now, not during a measured request
    return client


def make_posts(author, n: int, **fields) -> list[Post]:
    now = timezone.now()
    fields.setdefault("status", "published")
    fields.setdefault("published_at", now - timedelta(days=1))
    return Post.objects.bulk_create(
        Post(
            title=f"Post {i}",
            slug=f"post-{i}-{now:%H%M%S%f}",
            author=author,
            created_at=now - timedelta(hours=i),
            **fields,
        )
        for i in range(n)
    )


def etag(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK, response.content
    return response["ETag"]


def revalidate(client, url: str, tag: str):
    return client.get(url, HTTP_IF_NONE_MATCH=tag)


# ---------------------------------------------------------------------------- items
def test_item_answers_304_to_its_current_etag_with_no_body_and_the_cache_headers(author):
    (post,) = make_posts(author, 1)
    client = APIClient()
    url = f"/api/v1/posts/{post.pk}"
    tag = etag(client, url)
    assert tag == f'"{post.pk}-1"'
    response = revalidate(client, url, tag)
    assert response.status_code == HTTPStatus.NOT_MODIFIED
    assert response.content == b""
    assert response["ETag"] == tag
    assert response["Cache-Control"].startswith("public, max-age=")
    assert {"Accept", "Authorization", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}


@pytest.mark.parametrize("header", ['W/"{id}-1"', '"{id}-0", "{id}-1"', "*", ' "{id}-1" '])
def test_item_if_none_match_compares_weakly_and_takes_lists_and_star(author, header):
    (post,) = make_posts(author, 1)
    response = revalidate(APIClient(), f"/api/v1/posts/{post.slug}", header.format(id=post.pk))
    assert response.status_code == HTTPStatus.NOT_MODIFIED


def test_item_changed_since_is_200_with_its_new_etag(author, editor, token_client):
    (post,) = make_posts(author, 1)
    url = f"/api/v1/posts/{post.pk}"
    old = etag(APIClient(), url)
    token_client(editor).patch(url, {"title": "Edited"}, format="json")
    response = revalidate(APIClient(), url, old)
    assert response.status_code == HTTPStatus.OK
    assert response["ETag"] == f'"{post.pk}-2"'
    assert response.json()["data"]["title"] == "Edited"


@pytest.mark.parametrize("header", ['"{id}-1"', "*"])
def test_a_post_the_caller_may_not_see_is_404_whatever_if_none_match_says(author, header):
    (draft,) = make_posts(author, 1, status="draft", published_at=None)
    (scheduled,) = make_posts(author, 1, published_at=timezone.now() + timedelta(hours=1))
    for post in (draft, scheduled):
        response = revalidate(APIClient(), f"/api/v1/posts/{post.pk}", header.format(id=post.pk))
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert response["Cache-Control"] == "no-store"


def test_item_304_costs_one_query_anonymous_and_two_with_a_token(author, editor_client, django_assert_num_queries):
    (post,) = make_posts(author, 1)
    url = f"/api/v1/posts/{post.pk}"
    anonymous = APIClient()
    tag = etag(anonymous, url)
    with django_assert_num_queries(1):  # the post's id and version, if visible
        assert revalidate(anonymous, url, tag).status_code == HTTPStatus.NOT_MODIFIED
    with django_assert_num_queries(2):  # token + owner + permissions, the post's id and version
        assert revalidate(editor_client, url, tag).status_code == HTTPStatus.NOT_MODIFIED


def test_a_stale_item_etag_costs_one_more_query_than_a_plain_get(author, django_assert_num_queries):
    (post,) = make_posts(author, 1)
    with django_assert_num_queries(2):  # id and version (stale), then the post
        assert revalidate(APIClient(), f"/api/v1/posts/{post.pk}", '"1-0"').status_code == HTTPStatus.OK


@pytest.mark.parametrize("header", ["12-3", 'w/"12-3"', ""])
@pytest.mark.parametrize("path", ["/api/v1/posts", "/api/v1/posts/{id}"])
def test_a_malformed_if_none_match_is_400_showing_the_expected_form(author, header, path):
    (post,) = make_posts(author, 1)
    response = revalidate(APIClient(), path.format(id=post.pk), header)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert 'If-None-Match: "12-3"' in response.json()["error"]["message"]


# ---------------------------------------------------------------------------- lists
def test_list_answers_304_to_its_current_etag(author):
    make_posts(author, 3)
    client = APIClient()
    tag = etag(client, "/api/v1/posts")
    assert tag.startswith('W/"')  # the same content, not promised byte for byte
    response = revalidate(client, "/api/v1/posts", tag)
    assert response.status_code == HTTPStatus.NOT_MODIFIED
    assert (response.content, response["ETag"]) == (b"", tag)
    assert revalidate(client, "/api/v1/posts", tag.removeprefix("W/")).status_code == HTTPStatus.NOT_MODIFIED
    assert revalidate(client, "/api/v1/posts", "*").status_code == HTTPStatus.NOT_MODIFIED


@pytest.mark.parametrize(
    "query",
    ["", "?per_page=2", "?per_page=2&page=2", f"?fields={FULL}", "?status=published&ordering=title", "?cursor="],
)
def test_every_list_etag_is_stable_and_revalidates(author, query):
    make_posts(author, 3)
    client = APIClient()
    tag = etag(client, f"/api/v1/posts{query}")
    assert etag(client, f"/api/v1/posts{query}") == tag
    assert revalidate(client, f"/api/v1/posts{query}", tag).status_code == HTTPStatus.NOT_MODIFIED


def test_list_etags_differ_between_pages_fields_and_filters(author):
    make_posts(author, 3)
    client = APIClient()
    queries = ["", "?per_page=2", "?per_page=2&page=2", "?fields=id", "?status=published", "?cursor="]
    assert len({etag(client, f"/api/v1/posts{query}") for query in queries}) == len(queries)


def test_list_etag_changes_when_a_post_in_it_changes(author, editor, token_client):
    (post, *_) = make_posts(author, 3)
    anonymous = APIClient()
    old = etag(anonymous, "/api/v1/posts")
    token_client(editor).patch(f"/api/v1/posts/{post.pk}", {"excerpt": "New"}, format="json")
    response = revalidate(anonymous, "/api/v1/posts", old)
    assert response.status_code == HTTPStatus.OK
    assert response["ETag"] != old
    assert response.json()["data"][0]["excerpt"] == "New"


def test_list_etag_changes_when_a_post_is_deleted_even_off_the_page_or_replaced(author, editor, token_client):
    posts = make_posts(author, 5)
    anonymous, client = APIClient(), token_client(editor)
    url = "/api/v1/posts?per_page=2"
    old = etag(anonymous, url)
    client.delete(f"/api/v1/posts/{posts[-1].pk}")  # on page 3: only meta.total shows it
    response = revalidate(anonymous, url, old)
    assert response.status_code == HTTPStatus.OK
    assert response.json()["meta"]["total"] == 4
    # A deletion and a creation leave the count as it was; the page shows the new post.
    old = response["ETag"]
    client.delete(f"/api/v1/posts/{posts[0].pk}")
    client.post("/api/v1/posts", {"title": "Replacement", "status": "published"}, format="json")
    response = revalidate(anonymous, url, old)
    assert response.status_code == HTTPStatus.OK
    assert response.json()["data"][0]["title"] == "Replacement"


def test_list_etag_changes_when_a_scheduled_post_comes_out(author):
    make_posts(author, 2)
    (scheduled,) = make_posts(author, 1, published_at=timezone.now() + timedelta(hours=1))
    anonymous = APIClient()
    old = etag(anonymous, "/api/v1/posts")
    with time_machine.travel(timezone.now() + timedelta(minutes=30)):
        assert revalidate(anonymous, "/api/v1/posts", old).status_code == HTTPStatus.NOT_MODIFIED
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        response = revalidate(anonymous, "/api/v1/posts", old)
        assert response.status_code == HTTPStatus.OK
        assert scheduled.pk in [post["id"] for post in response.json()["data"]]


def test_list_etag_changes_when_an_author_is_renamed(author):
    make_posts(author, 2)
    anonymous = APIClient()
    old = etag(anonymous, "/api/v1/posts")
    User.objects.filter(pk=author.pk).update(first_name="Ann", last_name="Author")
    response = revalidate(anonymous, "/api/v1/posts", old)
    assert response.status_code == HTTPStatus.OK
    assert response.json()["data"][0]["author"]["name"] == "Ann Author"


def test_list_etag_depends_on_who_asks(author, editor, contributor, token_client):
    make_posts(author, 2)
    make_posts(contributor, 1, status="draft", published_at=None)
    contributor_client = token_client(contributor)
    tags = {etag(client, "/api/v1/posts") for client in (APIClient(), token_client(editor), contributor_client)}
    assert len(tags) == 3
    anonymous_tag = etag(APIClient(), "/api/v1/posts")
    assert revalidate(contributor_client, "/api/v1/posts", anonymous_tag).status_code == HTTPStatus.OK


def test_list_304_costs_one_query_anonymous_and_two_with_a_token(author, editor_client, django_assert_num_queries):
    make_posts(author, 30)
    anonymous = APIClient()
    for client, queries in ((anonymous, 1), (editor_client, 2)):  # (token + owner + permissions,) the validator
        for query in ("?per_page=20", f"?per_page=20&fields={FULL}", "?status=published&search=post", "?cursor="):
            tag = etag(client, f"/api/v1/posts{query}")
            with django_assert_num_queries(queries):
                assert revalidate(client, f"/api/v1/posts{query}", tag).status_code == HTTPStatus.NOT_MODIFIED


def test_the_etag_of_a_list_costs_no_query_more_unless_the_page_is_empty(author, django_assert_num_queries):
    make_posts(author, 30)
    with django_assert_num_queries(2):  # the page with its validator, the count
        APIClient().get("/api/v1/posts")
    with django_assert_num_queries(3):  # the empty page, the validator on its own, the count
        assert APIClient().get("/api/v1/posts?page=9")["ETag"]


@pytest.mark.parametrize("query", ["?page=0", "?per_page=500", "?cursor=forged", "?cursor=&page=2", "?status=bogus"])
def test_a_bad_parameter_is_422_even_with_a_matching_if_none_match(author, query):
    make_posts(author, 1)
    response = revalidate(APIClient(), f"/api/v1/posts{query}", "*")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY


# ---------------------------------------------------------------------------- cache headers
@pytest.mark.parametrize("path", ["/api/v1/posts", "/api/v1/posts/{id}", "/api/v1/posts?search=post&fields=id"])
def test_anonymous_reads_are_public_for_the_configured_times(author, settings, path):
    (post,) = make_posts(author, 1)
    settings.POLYCMS_POSTS = {"CACHE_MAX_AGE": 30, "CACHE_STALE_WHILE_REVALIDATE": 90}
    response = APIClient().get(path.format(id=post.pk))
    assert response["Cache-Control"] == "public, max-age=30, stale-while-revalidate=90"
    assert {"Accept", "Authorization", "Cookie", "origin"} <= {v.strip() for v in response["Vary"].split(",")}


def test_without_stale_while_revalidate_it_is_left_out(author, settings):
    make_posts(author, 1)
    settings.POLYCMS_POSTS = {"CACHE_MAX_AGE": 0, "CACHE_STALE_WHILE_REVALIDATE": 0}
    assert APIClient().get("/api/v1/posts")["Cache-Control"] == "public, max-age=0"


def test_signed_in_reads_are_private_drafts_included(author, editor, token_client, session_client):
    (post,) = make_posts(author, 1, status="draft", published_at=None)
    for client in (token_client(editor), session_client(editor)):
        for path in ("/api/v1/posts", f"/api/v1/posts/{post.pk}"):
            response = client.get(path)
            assert response.status_code == HTTPStatus.OK
            assert response["Cache-Control"] == "private, no-cache"
            assert revalidate(client, path, response["ETag"])["Cache-Control"] == "private, no-cache"


def test_writes_and_errors_are_no_store(editor, token_client):
    client = token_client(editor)
    created = client.post("/api/v1/posts", {"title": "New"}, format="json")
    assert created["Cache-Control"] == "no-store"
    for response in (
        client.patch(f"/api/v1/posts/{created.json()['data']['id']}", {"title": "x"}, format="json"),
        APIClient().get("/api/v1/posts/999999"),
        APIClient().get("/api/v1/posts?status=bogus"),
        APIClient().get("/api/v1/posts", HTTP_AUTHORIZATION="Bearer nope"),
    ):
        assert response["Cache-Control"] == "no-store"


# ---------------------------------------------------------------------------- writes
@pytest.mark.parametrize("header", ['"{id}-1"', 'W/"{id}-1"', "*"])
def test_a_write_whose_if_none_match_names_the_current_version_is_412_and_changes_nothing(editor, token_client, header):
    client = token_client(editor)
    post = client.post("/api/v1/posts", {"title": "Kept"}, format="json").json()["data"]
    url, value = f"/api/v1/posts/{post['id']}", header.format(id=post["id"])
    for response in (
        client.patch(url, {"title": "Changed"}, format="json", HTTP_IF_NONE_MATCH=value),
        client.delete(url, HTTP_IF_NONE_MATCH=value),
    ):
        assert response.status_code == HTTPStatus.PRECONDITION_FAILED
        assert "If-None-Match" in response.json()["error"]["message"]
    assert Post.objects.get(pk=post["id"]).title == "Kept"
    assert client.patch(url, {"title": "Changed"}, format="json", HTTP_IF_NONE_MATCH='"0-0"').status_code == 200


def test_the_schema_describes_if_none_match_and_304():
    spec = APIClient().get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path, method in [("/api/v1/posts", "get"), ("/api/v1/posts/{id}", "get"), ("/api/v1/posts/{id}", "patch")]:
        operation = spec["paths"][path][method]
        assert "If-None-Match" in [p["name"] for p in operation["parameters"]]
    assert "304" in spec["paths"]["/api/v1/posts"]["get"]["responses"]
    assert "304" in spec["paths"]["/api/v1/posts/{id}"]["get"]["responses"]
