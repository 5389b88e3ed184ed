from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pytest
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
