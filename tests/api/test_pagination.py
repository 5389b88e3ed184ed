from datetime import timedelta
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from rest_framework.request import Request

from api.exceptions import ValidationError
from api.pagination import PageNumberEnvelopePagination
from posts.models import Post

pytestmark = pytest.mark.django_db


def parse(url: str) -> tuple[str, dict]:
    parts = urlsplit(url)
    return parts.path, parse_qs(parts.query)


@pytest.fixture
def posts(editor):
    return Post.objects.bulk_create(
        Post(title=f"Post {i}", slug=f"post-{i}", author=editor, content_raw={"blocks": []}) for i in range(45)
    )


def test_list_envelope_has_meta_and_links(editor, token_client, posts):
    body = token_client(editor).get("/api/v1/posts?per_page=20&page=2").json()
    assert len(body["data"]) == 20
    assert body["meta"] == {"total": 45, "page": 2, "per_page": 20, "total_pages": 3, "total_exact": True}
    assert parse(body["links"]["next"]) == ("/api/v1/posts", {"per_page": ["20"], "page": ["3"]})
    assert parse(body["links"]["prev"]) == ("/api/v1/posts", {"per_page": ["20"]})


def test_last_and_past_the_end_pages(editor, token_client, posts):
    client = token_client(editor)
    last = client.get("/api/v1/posts?page=3").json()
    assert len(last["data"]) == 5 and last["links"]["next"] is None
    past = client.get("/api/v1/posts?page=9").json()
    assert past["data"] == [] and past["meta"]["total"] == 45


@pytest.mark.parametrize("query", ["per_page=0", "per_page=101", "per_page=x", "page=0", "page=-1", "page=a"])
def test_bad_paging_values_are_422(editor, token_client, query):
    response = token_client(editor).get(f"/api/v1/posts?{query}")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["error"]["code"] == "validation_error"


def test_total_is_an_honest_lower_bound_past_the_count_limit(editor, token_client, posts, settings):
    settings.POLYCMS_API = {"COUNT_LIMIT": 10}
    client = token_client(editor)
    first = client.get("/api/v1/posts?per_page=5").json()
    assert first["meta"] == {"total": 11, "page": 1, "per_page": 5, "total_pages": 3, "total_exact": False}
    assert first["links"]["next"] is not None
    deep = client.get("/api/v1/posts?per_page=5&page=5").json()
    assert deep["meta"]["total"] == 26 and deep["meta"]["total_exact"] is False  # 25 seen + at least one more
    last = client.get("/api/v1/posts?per_page=5&page=9").json()
    assert len(last["data"]) == 5 and last["links"]["next"] is None
    assert last["meta"]["total"] == 45


def test_count_query_is_bounded_by_the_limit(editor, token_client, posts, settings, django_assert_num_queries):
    settings.POLYCMS_API = {"COUNT_LIMIT": 10}
    client = token_client(editor)
    client.get("/api/v1/user")
    with django_assert_num_queries(3) as captured:
        client.get("/api/v1/posts?per_page=5")
    count_sql = next(q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper())
    assert "LIMIT 11" in count_sql.upper()


def test_a_view_can_lower_the_page_size_for_one_request(rf, posts):
    paginator = PageNumberEnvelopePagination()
    paginator.limit_page_size(5, "for these items")
    queryset = Post.objects.order_by("id")

    assert len(paginator.paginate_queryset(queryset, Request(rf.get("/posts")))) == 5
    assert len(paginator.paginate_queryset(queryset, Request(rf.get("/posts?per_page=5")))) == 5
    with pytest.raises(ValidationError) as refused:
        paginator.paginate_queryset(queryset, Request(rf.get("/posts?per_page=6")))
    assert refused.value.detail == {"per_page": ["Must be at most 5 for these items."]}
    assert len(PageNumberEnvelopePagination().paginate_queryset(queryset, Request(rf.get("/posts?per_page=6")))) == 6


# ---------------------------------------------------------------------------- cursors
def walk(client, url: str) -> tuple[list[int], list[dict]]:
    """Follow links.next from ``url`` to the end: the ids seen, and each page's body."""
    ids, bodies = [], []
    while url:
        response = client.get(url)
        assert response.status_code == HTTPStatus.OK, response.content
        body = response.json()
        bodies.append(body)
        ids += [post["id"] for post in body["data"]]
        url = body["links"]["next"]
    return ids, bodies


def test_an_empty_cursor_starts_a_cursor_walk_whose_links_carry_the_next_cursor(editor, token_client, posts):
    client = token_client(editor)
    first = client.get("/api/v1/posts?cursor=&per_page=20").json()
    assert first["meta"] == {"per_page": 20}
    assert first["links"]["prev"] is None
    path, query = parse(first["links"]["next"])
    assert path == "/api/v1/posts" and query["per_page"] == ["20"] and query["cursor"][0]
    ids, bodies = walk(client, "/api/v1/posts?cursor=&per_page=20")
    by_pages, _ = walk(client, "/api/v1/posts?per_page=20")
    assert ids == by_pages and len(ids) == 45 and len(bodies) == 3
    assert bodies[-1]["links"]["next"] is None


def test_a_cursor_walk_is_stable_while_posts_are_added_and_removed(editor, token_client, posts):
    client = token_client(editor)
    expected, _ = walk(client, "/api/v1/posts?per_page=10")
    page = client.get("/api/v1/posts?cursor=&per_page=10").json()
    seen = [post["id"] for post in page["data"]]
    # Newer posts land before the cursor; deleting seen ones shifts nothing after it.
    Post.objects.bulk_create(Post(title=f"New {i}", slug=f"new-{i}", author=editor) for i in range(5))
    Post.objects.filter(pk__in=seen[:5]).delete()
    rest, _ = walk(client, page["links"]["next"])
    assert seen + rest == expected


@pytest.mark.parametrize("ordering", ["title", "-title", "published_at", "-published_at", "updated_at,id", "-id"])
def test_a_cursor_walks_every_ordering_once_each_nulls_included(editor, token_client, ordering):
    now = timezone.now()
    Post.objects.bulk_create(
        Post(
            title=f"T{i % 7}",  # repeated values: the tie-breaker decides
            slug=f"s-{i}",
            author=editor,
            published_at=None if i % 3 == 0 else now - timedelta(minutes=i % 5),  # NULLs and ties
            updated_at=now - timedelta(seconds=i % 4),
        )
        for i in range(40)
    )
    client = token_client(editor)
    by_pages, _ = walk(client, f"/api/v1/posts?ordering={ordering}&per_page=100")
    by_cursor, _ = walk(client, f"/api/v1/posts?ordering={ordering}&per_page=6&cursor=")
    assert sorted(by_cursor) == sorted(by_pages) and len(by_cursor) == 40
    if "published_at" not in ordering:  # where NULLs go differs between databases with page numbers only
        assert by_cursor == by_pages


def test_a_cursor_is_refused_with_another_ordering_or_a_page(editor, token_client, posts):
    client = token_client(editor)
    following = client.get("/api/v1/posts?cursor=&per_page=5").json()["links"]["next"]
    cursor = parse(following)[1]["cursor"][0]
    response = client.get(f"/api/v1/posts?cursor={cursor}&ordering=title")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["error"]["details"]["cursor"][0].startswith(
        "This cursor walks the ordering -created_at,-id, not title,-id"
    )
    response = client.get(f"/api/v1/posts?cursor={cursor}&page=2")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["error"]["details"] == {"cursor": ["Send either page or cursor, not both."]}


@pytest.mark.parametrize(
    "tamper", [lambda c: c[:-2] + ("AA" if not c.endswith("AA") else "BB"), lambda c: "x" + c, lambda c: "garbage"]
)
def test_a_tampered_cursor_is_422_not_500(editor, token_client, posts, tamper):
    client = token_client(editor)
    cursor = parse(client.get("/api/v1/posts?cursor=&per_page=5").json()["links"]["next"])[1]["cursor"][0]
    response = client.get(f"/api/v1/posts?cursor={tamper(cursor)}")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["error"]["details"]["cursor"][0].startswith("Invalid cursor")


def test_a_cursor_page_costs_no_count_however_deep(editor, posts, django_assert_num_queries):
    from rest_framework.test import APIClient

    Post.objects.update(status="published", published_at=timezone.now() - timedelta(days=1))
    client = APIClient()
    _, bodies = walk(client, "/api/v1/posts?cursor=&per_page=5")
    deep = bodies[-2]["links"]["next"]
    for url in ("/api/v1/posts?cursor=&per_page=5", deep, f"{deep}&status=published"):
        with django_assert_num_queries(1) as captured:  # the page (with its validator); no COUNT
            client.get(url)
        assert "COUNT(" not in captured.captured_queries[0]["sql"].upper()


def test_cursor_is_an_accepted_parameter_named_in_the_unknown_parameter_message(editor, token_client):
    response = token_client(editor).get("/api/v1/posts?after=abc")
    assert "cursor" in response.json()["error"]["details"]["after"][0]


def test_the_schema_describes_cursor_and_both_envelopes():
    from rest_framework.test import APIClient

    spec = APIClient().get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    (cursor,) = [p for p in spec["paths"]["/api/v1/posts"]["get"]["parameters"] if p["name"] == "cursor"]
    assert "links.next" in cursor["description"]
    assert spec["components"]["schemas"]["PaginatedPostSummaryList"]["properties"]["meta"]["required"] == ["per_page"]


def test_a_view_can_count_fewer_rows_for_one_request(rf, posts):
    paginator = PageNumberEnvelopePagination()
    paginator.limit_count(10)
    paginator.paginate_queryset(Post.objects.order_by("id"), Request(rf.get("/posts?per_page=5")))
    assert (paginator.total, paginator.total_exact) == (11, False)
    other = PageNumberEnvelopePagination()
    other.paginate_queryset(Post.objects.order_by("id"), Request(rf.get("/posts?per_page=5")))
    assert (other.total, other.total_exact) == (45, True)
