"""/api/v1/posts end to end through the test client."""

import gc
import io
import json
import weakref
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from posts.models import Post
from posts.serializers import CONTENT_FIELDS

pytestmark = pytest.mark.django_db

SEED_BODY = json.dumps(
    {
        "title": "Hello via API",
        "slug": "hello-via-api",
        "content_raw": '{"blocks":[{"type":"paragraph","data":{"text":"Created via REST!"}}]}',
        "status": "draft",
    }
)


@pytest.fixture
def as_editor(editor, token_client):
    return token_client(editor)


def create(client, **body):
    body.setdefault("title", "A title")
    response = client.post("/api/v1/posts", body, format="json")
    assert response.status_code == HTTPStatus.CREATED, response.content
    return response.json()["data"]


def test_seed_javascript_example_creates_a_draft(editor, make_token):
    _, plaintext = make_token(editor)
    response = APIClient().post(
        "/api/v1/posts",
        SEED_BODY,
        content_type="application/json",
        HTTP_ACCEPT="application/json",
        HTTP_AUTHORIZATION=f"Bearer {plaintext}",
    )
    assert response.status_code == HTTPStatus.CREATED
    data = response.json()["data"]
    assert data["slug"] == "hello-via-api" and data["status"] == "draft"
    assert data["content_raw"] == {"blocks": [{"type": "paragraph", "data": {"text": "Created via REST!"}}]}
    assert data["content_html"] == "<p>Created via REST!</p>"
    assert data["author"] == {"id": editor.pk, "username": "eddie", "name": "eddie"}
    assert response["Location"].endswith(f"/api/v1/posts/{data['id']}")
    assert response["ETag"] == f'"{data["id"]}-1"'


def test_slug_is_generated_and_deduplicated(as_editor):
    slugs = [create(as_editor, title="Hello, World!")["slug"] for _ in range(3)]
    assert slugs == ["hello-world", "hello-world-2", "hello-world-3"]
    assert create(as_editor, title="x", slug="hello-world")["slug"] == "hello-world-4"


@pytest.mark.parametrize("slug", ["Upper", "under_score", "sp ace", "-lead", "trail-", "dou--ble", "é"])
def test_invalid_slugs_are_422(as_editor, slug):
    response = as_editor.post("/api/v1/posts", {"title": "t", "slug": slug}, format="json")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "slug" in response.json()["error"]["details"]


def test_changing_to_a_taken_slug_is_422(as_editor):
    create(as_editor, slug="taken")
    post = create(as_editor, slug="free")
    response = as_editor.patch(f"/api/v1/posts/{post['id']}", {"slug": "taken"}, format="json")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert Post.objects.get(pk=post["id"]).slug == "free"


def test_bad_editorjs_block_is_422_naming_the_block(as_editor):
    content = {
        "blocks": [{"type": "paragraph", "data": {"text": "ok"}}, {"type": "header", "data": {"text": "x", "level": 9}}]
    }
    response = as_editor.post("/api/v1/posts", {"title": "t", "content_raw": content}, format="json")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "content_raw.blocks[1].data.level" in response.json()["error"]["details"]
    assert not Post.objects.exists()


@pytest.mark.parametrize(
    "payload",
    ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '<a href="javascript:alert(1)">x</a>'],
)
def test_xss_payloads_never_reach_content_html(as_editor, payload):
    content = {"blocks": [{"type": "paragraph", "data": {"text": payload}}]}
    html = create(as_editor, content_raw=content)["content_html"].lower()
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html


def test_retrieve_by_id_or_slug_with_etag(as_editor):
    post = create(as_editor, slug="by-slug")
    for key in (post["id"], "by-slug"):
        response = as_editor.get(f"/api/v1/posts/{key}")
        assert response.status_code == HTTPStatus.OK
        assert response.json()["data"]["id"] == post["id"]
        assert response["ETag"] == f'"{post["id"]}-1"'


def test_drafts_never_appear_to_anonymous_callers(as_editor):
    draft = create(as_editor, title="Draft")
    live = create(as_editor, title="Live", status="published")
    anonymous = APIClient()
    assert [p["id"] for p in anonymous.get("/api/v1/posts").json()["data"]] == [live["id"]]
    assert anonymous.get(f"/api/v1/posts/{draft['id']}").status_code == HTTPStatus.NOT_FOUND
    assert anonymous.get(f"/api/v1/posts/{draft['slug']}").status_code == HTTPStatus.NOT_FOUND


def test_scheduled_post_is_invisible_until_its_time(as_editor):
    future = timezone.now() + timedelta(hours=1)
    post = create(as_editor, status="published", published_at=future.isoformat())
    anonymous = APIClient()
    assert anonymous.get(f"/api/v1/posts/{post['id']}").status_code == HTTPStatus.NOT_FOUND
    Post.objects.filter(pk=post["id"]).update(published_at=timezone.now() - timedelta(seconds=1))
    assert anonymous.get(f"/api/v1/posts/{post['id']}").status_code == HTTPStatus.OK


def test_first_publish_sets_published_at_once(as_editor):
    post = create(as_editor)
    assert post["published_at"] is None
    published = as_editor.patch(f"/api/v1/posts/{post['id']}", {"status": "published"}, format="json").json()["data"]
    assert published["published_at"] is not None
    as_editor.patch(f"/api/v1/posts/{post['id']}", {"status": "draft"}, format="json")
    again = as_editor.patch(f"/api/v1/posts/{post['id']}", {"status": "published"}, format="json").json()["data"]
    assert again["published_at"] == published["published_at"]


def test_users_see_their_own_drafts_but_not_others(author, contributor, token_client):
    mine = create(token_client(author), title="Mine")
    theirs = create(token_client(contributor), title="Theirs")
    ids = [p["id"] for p in token_client(author, name="list").get("/api/v1/posts").json()["data"]]
    assert mine["id"] in ids and theirs["id"] not in ids


def test_author_cannot_patch_anothers_post(author, make_user, token_client):
    other = make_user("otto", role="Author")
    post = create(token_client(other), title="Otto's", status="published")
    response = token_client(author).patch(f"/api/v1/posts/{post['id']}", {"title": "hijacked"}, format="json")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert Post.objects.get(pk=post["id"]).title == "Otto's"


def test_author_edits_publishes_and_deletes_own_posts(author, token_client):
    client = token_client(author)
    post = create(client)
    assert client.patch(f"/api/v1/posts/{post['id']}", {"status": "published"}, format="json").status_code == 200
    assert client.delete(f"/api/v1/posts/{post['id']}").status_code == HTTPStatus.NO_CONTENT


def test_contributor_cannot_publish(contributor, token_client):
    client = token_client(contributor)
    response = client.post("/api/v1/posts", {"title": "t", "status": "published"}, format="json")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Post.objects.exists()
    post = create(client)
    response = client.patch(f"/api/v1/posts/{post['id']}", {"status": "published"}, format="json")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert Post.objects.get(pk=post["id"]).status == "draft"


def test_contributor_cannot_edit_once_published(contributor, editor, token_client):
    post = create(token_client(contributor))
    token_client(editor).patch(f"/api/v1/posts/{post['id']}", {"status": "published"}, format="json")
    response = token_client(contributor, name="again").patch(
        f"/api/v1/posts/{post['id']}", {"title": "x"}, format="json"
    )
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_editor_edits_and_deletes_others_posts(editor, author, token_client):
    post = create(token_client(author))
    client = token_client(editor)
    assert client.patch(f"/api/v1/posts/{post['id']}", {"title": "edited"}, format="json").status_code == 200
    assert client.delete(f"/api/v1/posts/{post['id']}").status_code == HTTPStatus.NO_CONTENT


def test_anonymous_cannot_write(as_editor):
    post = create(as_editor, status="published")
    anonymous = APIClient()
    assert anonymous.post("/api/v1/posts", {"title": "t"}, format="json").status_code == HTTPStatus.UNAUTHORIZED
    assert anonymous.delete(f"/api/v1/posts/{post['id']}").status_code == HTTPStatus.UNAUTHORIZED


def test_author_is_not_writable(as_editor, author):
    post = create(as_editor, author=author.pk)
    assert post["author"]["username"] == "eddie"


def test_stale_if_match_is_412_and_changes_nothing(as_editor):
    post = create(as_editor, title="Original")
    url = f"/api/v1/posts/{post['id']}"
    etag = as_editor.get(url)["ETag"]
    fresh = as_editor.patch(url, {"title": "First"}, format="json", HTTP_IF_MATCH=etag)
    assert fresh.status_code == HTTPStatus.OK and fresh["ETag"] != etag
    stale = as_editor.patch(url, {"title": "Second"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == HTTPStatus.PRECONDITION_FAILED
    assert stale.json()["error"]["code"] == "precondition_failed"
    assert as_editor.delete(url, HTTP_IF_MATCH=etag).status_code == HTTPStatus.PRECONDITION_FAILED
    assert Post.objects.get(pk=post["id"]).title == "First"


def test_without_if_match_last_write_wins(as_editor):
    post = create(as_editor)
    url = f"/api/v1/posts/{post['id']}"
    as_editor.patch(url, {"title": "one"}, format="json")
    as_editor.patch(url, {"title": "two"}, format="json")
    assert Post.objects.get(pk=post["id"]).title == "two"


def test_put_needs_every_writable_field_and_changes_nothing_without_them(as_editor):
    post = create(as_editor, excerpt="old")
    url = f"/api/v1/posts/{post['id']}"
    response = as_editor.put(url, {"title": "New"}, format="json")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    details = response.json()["error"]["details"]
    assert "title" not in details
    assert set(details) == {
        "type",
        "slug",
        "excerpt",
        "content_raw",
        "status",
        "published_at",
        "categories",
        "tags",
        "featured_media",
        "meta_title",
        "meta_description",
    }
    assert "use PATCH" in details["excerpt"][0]
    assert as_editor.get(url).json()["data"]["title"] == post["title"]


def test_put_replaces_the_post_with_what_get_returned(as_editor):
    post = create(as_editor, excerpt="old")
    url = f"/api/v1/posts/{post['id']}"
    fetched = as_editor.get(url).json()["data"]  # read-only fields included: they are known, and ignored
    data = as_editor.put(url, {**fetched, "title": "New", "excerpt": "new"}, format="json").json()["data"]
    assert (data["title"], data["excerpt"], data["slug"]) == ("New", "new", post["slug"])


def test_failed_update_leaves_nothing_half_written(as_editor):
    post = create(as_editor, title="Keep")
    bad = {"title": "Changed", "content_raw": {"blocks": [{"type": "nope", "data": {}}]}}
    response = as_editor.patch(f"/api/v1/posts/{post['id']}", bad, format="json")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    stored = Post.objects.get(pk=post["id"])
    assert (stored.title, stored.version) == ("Keep", 1)


# ---------------------------------------------------------------------------- list, filters
@pytest.fixture
def catalogue(editor, author):
    now = timezone.now()
    rows = [
        Post(title="Alpha news", slug="alpha", author=editor, status="published", published_at=now - timedelta(days=3)),
        Post(
            title="Beta page",
            slug="beta",
            type="page",
            author=editor,
            status="published",
            published_at=now - timedelta(days=1),
        ),
        Post(title="Gamma draft", slug="gamma", author=author, excerpt="secret plans"),
        Post(title="Delta", slug="delta", author=author, status="archived", content_text="the unicorn sleeps"),
    ]
    for offset, post in enumerate(rows):
        post.created_at = now - timedelta(hours=10 - offset)
    return Post.objects.bulk_create(rows)


def titles(client, query: str = "") -> list[str]:
    response = client.get(f"/api/v1/posts{query}")
    assert response.status_code == HTTPStatus.OK, response.content
    return [p["title"] for p in response.json()["data"]]


def test_default_order_is_newest_first(as_editor, catalogue):
    assert titles(as_editor) == ["Delta", "Gamma draft", "Beta page", "Alpha news"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?status=published", ["Beta page", "Alpha news"]),
        ("?type=page", ["Beta page"]),
        ("?author=ann", ["Delta", "Gamma draft"]),
        ("?search=unicorn", ["Delta"]),
        ("?search=SECRET", ["Gamma draft"]),
        ("?ordering=title", ["Alpha news", "Beta page", "Delta", "Gamma draft"]),
        ("?ordering=-published_at&status=published", ["Beta page", "Alpha news"]),
    ],
)
def test_filters_and_ordering(as_editor, catalogue, query, expected):
    assert titles(as_editor, query) == expected


def test_filter_by_author_id_and_dates(as_editor, catalogue, author):
    assert titles(as_editor, f"?author={author.pk}") == ["Delta", "Gamma draft"]
    since = (timezone.now() - timedelta(days=2)).isoformat().replace("+00:00", "Z")
    assert titles(as_editor, f"?published_after={since}") == ["Beta page"]
    assert titles(as_editor, f"?published_before={since}") == ["Alpha news"]


@pytest.mark.parametrize(
    "query", ["?status=bogus", "?type=x", "?ordering=password", "?published_after=yesterday", "?created_after=1"]
)
def test_bad_filter_values_are_422(as_editor, catalogue, query):
    response = as_editor.get(f"/api/v1/posts{query}")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["error"]["code"] == "validation_error"


# ---------------------------------------------------------------------------- query budgets
def _seed(author, n: int) -> None:
    Post.objects.bulk_create(
        Post(title=f"P{i}", slug=f"p-{n}-{i}", author=author, status="published", published_at=timezone.now())
        for i in range(n)
    )


@pytest.mark.parametrize("n", [1, 50])
def test_list_costs_the_same_queries_for_1_and_50_posts(editor, author, token_client, django_assert_num_queries, n):
    _seed(author, n)
    client = token_client(editor)
    client.get("/api/v1/user")  # last_used_at written now, not during the measured request
    # token + owner + permissions, COUNT (only when the first page is full), page with authors joined
    with django_assert_num_queries(3 if n > 20 else 2):
        response = client.get("/api/v1/posts?per_page=20")
    assert response.json()["meta"]["total"] == n


def test_anonymous_list_and_item_budgets(author, django_assert_num_queries):
    _seed(author, 30)
    client = APIClient()
    with django_assert_num_queries(2):  # COUNT, page
        client.get("/api/v1/posts")
    post = Post.objects.first()
    with django_assert_num_queries(1):
        client.get(f"/api/v1/posts/{post.pk}")


def test_item_get_with_token_costs_2_queries(editor, token_client, django_assert_num_queries):
    client = token_client(editor)
    post = create(client)
    with django_assert_num_queries(2):  # token + owner + permissions, post + author
        assert client.get(f"/api/v1/posts/{post['id']}").status_code == HTTPStatus.OK


# ---------------------------------------------------------------------------- sparse fields
ALL_FIELDS = [
    "id",
    "type",
    "title",
    "slug",
    "excerpt",
    "content_raw",
    "content_html",
    "status",
    "published_at",
    "author",
    "categories",
    "tags",
    "featured_media",
    "meta_title",
    "meta_description",
    "created_at",
    "updated_at",
]
LIST_DEFAULT_FIELDS = [name for name in ALL_FIELDS if name not in {"content_raw", "content_html"}]


def test_list_leaves_out_the_content_fields_unless_asked_for(as_editor):
    create(as_editor, content_raw={"blocks": [{"type": "paragraph", "data": {"text": "Body"}}]})
    (post,) = as_editor.get("/api/v1/posts").json()["data"]
    assert list(post) == LIST_DEFAULT_FIELDS
    (post,) = as_editor.get("/api/v1/posts?fields=id,content_html").json()["data"]
    assert post == {"id": post["id"], "content_html": "<p>Body</p>"}


def test_item_has_every_field_by_default(as_editor):
    post = create(as_editor)
    assert list(as_editor.get(f"/api/v1/posts/{post['id']}").json()["data"]) == ALL_FIELDS


@pytest.mark.parametrize("query", ["fields=slug,title", "fields= title , slug"])
def test_fields_selects_what_list_and_item_return_in_the_usual_order(as_editor, query):
    post = create(as_editor, title="Chosen", slug="chosen")
    (listed,) = as_editor.get(f"/api/v1/posts?{query}").json()["data"]
    item = as_editor.get(f"/api/v1/posts/{post['id']}?{query}")
    assert listed == item.json()["data"] == {"title": "Chosen", "slug": "chosen"}
    assert list(listed) == ["title", "slug"]
    assert item["ETag"] == f'"{post["id"]}-1"'


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("fields=", "Name at least one field: id, type, title,"),
        ("fields=,", "Name at least one field:"),
        ("fields=id,,title", "Separate field names with single commas"),
        ("fields=id,password", "Unknown field 'password'. Valid fields: " + ", ".join(ALL_FIELDS) + "."),
        ("fields=content_text,x", "Unknown fields 'content_text', 'x'. Valid fields: id,"),
        ("fields=" + "a" * 5000, "Unknown field 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…'."),
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/posts", "/api/v1/posts/{id}"])
def test_bad_fields_are_422_naming_the_valid_ones(as_editor, query, message, path):
    post = create(as_editor)
    response = as_editor.get(f"{path.format(id=post['id'])}?{query}")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"]["fields"][0].startswith(message)


@pytest.mark.parametrize("content_field", ["content_raw", "content_html"])
def test_a_list_with_content_has_at_most_max_content_page_size_items(as_editor, content_field):
    create(as_editor)
    assert as_editor.get(f"/api/v1/posts?fields=id,{content_field}&per_page=20").status_code == HTTPStatus.OK
    response = as_editor.get(f"/api/v1/posts?fields=id,{content_field}&per_page=21")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["error"]["details"] == {
        "per_page": ["Must be at most 20 when fields include content_raw or content_html."]
    }
    assert as_editor.get("/api/v1/posts?fields=id,title&per_page=100").status_code == HTTPStatus.OK


def test_max_content_page_size_is_a_setting_and_lowers_the_default_page_size(as_editor, settings):
    settings.POLYCMS_POSTS = {"MAX_CONTENT_PAGE_SIZE": 5}
    for _ in range(6):
        create(as_editor)
    body = as_editor.get("/api/v1/posts?fields=content_raw").json()
    assert (len(body["data"]), body["meta"]["per_page"]) == (5, 5)
    assert as_editor.get("/api/v1/posts?fields=content_raw&per_page=6").status_code == 422
    assert as_editor.get("/api/v1/posts").json()["meta"]["per_page"] == 20


def _select_of(captured, table: str = "posts_post") -> str:
    return next(q["sql"] for q in captured if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"])


def test_unselected_columns_are_not_loaded(as_editor, editor, django_assert_num_queries):
    create(as_editor, status="published")
    anonymous = APIClient()
    with django_assert_num_queries(1) as captured:
        anonymous.get("/api/v1/posts")
    page = _select_of(captured.captured_queries)
    assert '"title"' in page and '"auth_user"' in page
    assert "content_html" not in page and "content_raw" not in page and "content_text" not in page
    with django_assert_num_queries(1) as captured:
        anonymous.get("/api/v1/posts?fields=id,title")
    page = _select_of(captured.captured_queries)
    assert "auth_user" not in page and "excerpt" not in page and "content" not in page


@pytest.mark.parametrize("fields", ["id", "author", "content_html,author", ",".join(ALL_FIELDS)])
def test_any_fields_cost_the_same_queries(editor, author, token_client, django_assert_num_queries, fields):
    _seed(author, 30)
    client = token_client(editor)
    client.get("/api/v1/user")
    with django_assert_num_queries(3):  # token + owner + permissions, COUNT, page
        assert client.get(f"/api/v1/posts?fields={fields}").status_code == HTTPStatus.OK
    post = Post.objects.first()
    with django_assert_num_queries(2):  # token + owner + permissions, post (+ author)
        assert client.get(f"/api/v1/posts/{post.pk}?fields={fields}").status_code == HTTPStatus.OK


def test_writes_refuse_fields_rather_than_ignore_it(as_editor):
    post = create(as_editor)
    response = as_editor.patch(f"/api/v1/posts/{post['id']}?fields=id", {"title": "New"}, format="json")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["error"]["details"] == {"fields": ["This endpoint takes no query parameters."]}
    assert as_editor.get(f"/api/v1/posts/{post['id']}").json()["data"]["title"] == post["title"]


def test_excerpt_longer_than_its_limit_is_422(as_editor):
    response = as_editor.post("/api/v1/posts", {"title": "t", "excerpt": "x" * 1001}, format="json")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.json()["error"]["details"] == {"excerpt": ["Ensure this field has no more than 1000 characters."]}
    assert create(as_editor, excerpt="x" * 1000)["excerpt"] == "x" * 1000


def test_schema_describes_fields_and_requires_every_field_a_post_response_holds_without_them():
    spec = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in ("/api/v1/posts", "/api/v1/posts/{id}"):
        (parameter,) = [p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == "fields"]
        assert parameter["schema"]["items"]["enum"] == ALL_FIELDS
        assert (parameter["style"], parameter["explode"]) == ("form", False)
    schemas = spec["components"]["schemas"]
    assert schemas["Post"]["required"] == ALL_FIELDS
    assert schemas["PostSummary"]["required"] == [name for name in ALL_FIELDS if name not in CONTENT_FIELDS]
    assert schemas["PostRequest"]["required"] == ["title"]


def test_a_response_is_freed_once_sent_without_waiting_for_the_garbage_collector(as_editor):
    # A response left in a reference cycle lives until the cyclic GC runs, which counts objects, not bytes:
    # pages of content piled up in the workers. (The test client adds cycles of its own: call Django directly.)
    create(as_editor, status="published")
    environ = {**RequestFactory().get("/api/v1/posts?fields=id,content_html").environ, "wsgi.input": io.BytesIO()}
    request_started.disconnect(close_old_connections)  # keep the test's transaction open, as the test client does
    request_finished.disconnect(close_old_connections)
    gc.collect()
    gc.disable()
    try:
        response = WSGIHandler()(environ, lambda status, headers: None)
        assert b"content_html" in b"".join(response)
        response.close()
        sent = weakref.ref(response)
        del response
        assert sent() is None
    finally:
        gc.enable()
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# ---------------------------------------------------------------------------- preconditions (RFC 9110)


@pytest.fixture
def edited(as_editor):
    """A post at version 2 (its ETag ``"<id>-2"``), with its URL and ETag."""
    post = create(as_editor, title="Original")
    url = f"/api/v1/posts/{post['id']}"
    response = as_editor.patch(url, {"title": "Edited"}, format="json")
    return url, response["ETag"]


@pytest.mark.parametrize("header", ["{bare}", "W/{bare}", "w/{quoted}", "{quoted} {quoted}", "*, {quoted}", ""])
def test_malformed_if_match_is_400_showing_the_expected_form_and_changes_nothing(as_editor, edited, header):
    url, etag = edited
    value = header.format(bare=etag.strip('"'), quoted=etag)  # {bare}: the unquoted current version, 12-3
    for response in (
        as_editor.patch(url, {"title": "Changed"}, format="json", HTTP_IF_MATCH=value),
        as_editor.delete(url, HTTP_IF_MATCH=value),
    ):
        assert response.status_code == HTTPStatus.BAD_REQUEST, (value, response.content)
        error = response.json()["error"]
        assert error["code"] == "parse_error"
        assert 'If-Match: "12-3"' in error["message"]
    stored = Post.objects.get(pk=int(etag.strip('"').split("-")[0]))
    assert (stored.title, stored.version) == ("Edited", 2)


def test_a_weak_if_match_never_matches_and_says_why(as_editor, edited):
    url, etag = edited
    response = as_editor.patch(url, {"title": "Changed"}, format="json", HTTP_IF_MATCH=f"W/{etag}")
    assert response.status_code == HTTPStatus.PRECONDITION_FAILED
    assert "weak" in response.json()["error"]["message"]
    assert as_editor.delete(url, HTTP_IF_MATCH=f"W/{etag}").status_code == HTTPStatus.PRECONDITION_FAILED
    assert as_editor.get(url).json()["data"]["title"] == "Edited"


@pytest.mark.parametrize("header", ["*", '"0-0", {etag}', '{etag} , W/"0-0"', " {etag} "])
def test_if_match_naming_the_current_version_or_star_lets_the_write_through(as_editor, edited, header):
    url, etag = edited
    response = as_editor.patch(url, {"title": "Changed"}, format="json", HTTP_IF_MATCH=header.format(etag=etag))
    assert response.status_code == HTTPStatus.OK, response.content
    assert response.json()["data"]["title"] == "Changed"


def test_if_match_star_deletes_an_existing_post_and_a_missing_one_is_404(as_editor, edited):
    url, _ = edited
    assert as_editor.delete(url, HTTP_IF_MATCH="*").status_code == HTTPStatus.NO_CONTENT
    assert as_editor.delete(url, HTTP_IF_MATCH="*").status_code == HTTPStatus.NOT_FOUND


def test_put_with_a_stale_if_match_is_412(as_editor, edited):
    url, etag = edited
    stale = etag.replace("-2", "-1")
    whole = {**as_editor.get(url).json()["data"], "title": "Changed"}
    response = as_editor.put(url, whole, format="json", HTTP_IF_MATCH=stale)
    assert response.status_code == HTTPStatus.PRECONDITION_FAILED
    assert response.json()["error"]["code"] == "precondition_failed"


# ---------------------------------------------------------------------------- issue 14: the light list
def test_the_light_list_reads_only_its_columns_in_one_query(author, django_assert_num_queries):
    _seed(author, 5)
    with django_assert_num_queries(1) as captured:
        response = APIClient().get("/api/v1/posts?fields=id,title,slug,excerpt,published_at")
    assert list(response.json()["data"][0]) == ["id", "title", "slug", "excerpt", "published_at"]
    sql = captured.captured_queries[0]["sql"]
    for column in ("title", "slug", "excerpt", "published_at", "version"):
        assert f'"{column}"' in sql
    for column in ("content_raw", "content_html", "content_text", "meta_title", "meta_description", "auth_user"):
        assert column not in sql


def test_the_browsable_api_still_renders_lists_and_items(author):
    (post, *_) = Post.objects.bulk_create(
        [Post(title="Shown", slug="shown", author=author, status="published", published_at=timezone.now())]
    )
    for path in ("/api/v1/posts", f"/api/v1/posts/{post.pk}", "/api/v1/posts?cursor="):
        response = APIClient().get(path, HTTP_ACCEPT="text/html")
        assert response.status_code == HTTPStatus.OK
        assert b"Shown" in response.content
