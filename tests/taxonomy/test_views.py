"""/api/v1/categories and /api/v1/tags end to end through the test client."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from posts.models import Post
from taxonomy.models import Category, Tag

pytestmark = pytest.mark.django_db

CATEGORIES, TAGS = "/api/v1/categories", "/api/v1/tags"


@pytest.fixture
def editor(make_user):
    return make_user("eddie", role="Editor")


@pytest.fixture
def as_editor(editor, token_client):
    return token_client(editor)


def created(client, url: str, **body) -> dict:
    response = client.post(url, body, format="json")
    assert response.status_code == HTTPStatus.CREATED, response.content
    return response.json()["data"]


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


def names(response) -> list[str]:
    assert response.status_code == HTTPStatus.OK, response.content
    return [item["name"] for item in response.json()["data"]]


@pytest.fixture
def shop(as_editor) -> dict[str, dict]:
    """Electronics > Computers > Laptops, Electronics > Phones, and Books (top level)."""
    made = {}
    made["electronics"] = created(as_editor, CATEGORIES, name="Electronics", order=1)
    made["books"] = created(as_editor, CATEGORIES, name="Books", order=2)
    made["computers"] = created(as_editor, CATEGORIES, name="Computers", parent="electronics", order=1)
    made["phones"] = created(as_editor, CATEGORIES, name="Phones", parent=made["electronics"]["id"])
    made["laptops"] = created(as_editor, CATEGORIES, name="Laptops", parent="computers")
    return made


# ---------------------------------------------------------------------------- categories


def test_a_created_category_has_its_slug_path_depth_and_location(as_editor, shop):
    laptops = shop["laptops"]
    assert laptops | {"created_at": None, "updated_at": None} == {
        "id": laptops["id"],
        "name": "Laptops",
        "slug": "laptops",
        "description": "",
        "parent": shop["computers"]["id"],
        "order": 0,
        "path": ["electronics", "computers"],
        "depth": 2,
        "post_count": 0,
        "created_at": None,
        "updated_at": None,
    }
    response = as_editor.post(CATEGORIES, {"name": "Laptops", "parent": "books"}, format="json")
    assert response["Location"] == f"http://testserver/api/v1/categories/{response.json()['data']['id']}"
    assert response.json()["data"]["slug"] == "laptops-2"


@pytest.mark.parametrize("key", ["id", "slug"])
def test_a_category_is_read_by_id_or_slug(shop, key):
    response = APIClient().get(f"{CATEGORIES}/{shop['computers'][key]}")
    assert response.json()["data"] == shop["computers"]


@pytest.mark.parametrize("path", ["999", "no-such", "Not a slug", "9" * 30])
def test_an_unknown_category_is_404(shop, path):
    assert error(APIClient().get(f"{CATEGORIES}/{path}"), HTTPStatus.NOT_FOUND)["code"] == "not_found"


def test_the_flat_list_is_ordered_by_order_then_name_and_filtered_by_parent_and_search(shop):
    client = APIClient()
    assert names(client.get(CATEGORIES)) == ["Laptops", "Phones", "Computers", "Electronics", "Books"]
    assert names(client.get(f"{CATEGORIES}?parent=0")) == ["Electronics", "Books"]
    assert names(client.get(f"{CATEGORIES}?parent=electronics")) == ["Phones", "Computers"]
    assert names(client.get(f"{CATEGORIES}?parent={shop['computers']['id']}")) == ["Laptops"]
    assert names(client.get(f"{CATEGORIES}?parent=no-such")) == []
    assert names(client.get(f"{CATEGORIES}?search=top")) == ["Laptops"]
    assert names(client.get(f"{CATEGORIES}?ordering=-name")) == [
        "Phones",
        "Laptops",
        "Electronics",
        "Computers",
        "Books",
    ]
    response = client.get(f"{CATEGORIES}?per_page=2&page=2")
    assert names(response) == ["Computers", "Electronics"] and response.json()["meta"]["total"] == 5


def test_the_tree_is_nested_in_sibling_order_whole_or_from_a_parent(shop):
    def shape(nodes):
        return [(node["slug"], node["path"], shape(node["children"])) for node in nodes]

    response = APIClient().get(f"{CATEGORIES}?tree=1")
    assert response.status_code == HTTPStatus.OK
    assert "meta" not in response.json()
    assert shape(response.json()["data"]) == [
        (
            "electronics",
            [],
            [
                ("phones", ["electronics"], []),
                ("computers", ["electronics"], [("laptops", ["electronics", "computers"], [])]),
            ],
        ),
        ("books", [], []),
    ]
    subtree = APIClient().get(f"{CATEGORIES}?tree=true&parent=electronics").json()["data"]
    assert shape(subtree) == shape(response.json()["data"][0]["children"])
    assert names(APIClient().get(f"{CATEGORIES}?tree=0&parent=0")) == ["Electronics", "Books"]


def test_the_tree_is_bounded_and_takes_no_paging_search_or_ordering(shop, settings):
    client = APIClient()
    for query in ("page=1", "per_page=5", "search=x", "ordering=name"):
        details = error(client.get(f"{CATEGORIES}?tree=1&{query}"), HTTPStatus.UNPROCESSABLE_ENTITY)["details"]
        assert list(details) == [query.split("=")[0]]
    assert "tree" in error(client.get(f"{CATEGORIES}?tree=yes"), HTTPStatus.UNPROCESSABLE_ENTITY)["details"]
    assert "parent" in error(client.get(f"{CATEGORIES}?tree=1&parent=nope"), HTTPStatus.UNPROCESSABLE_ENTITY)["details"]
    settings.POLYCMS_TAXONOMY = {"TREE_MAX_NODES": 4}
    message = error(client.get(f"{CATEGORIES}?tree=1"), HTTPStatus.UNPROCESSABLE_ENTITY)["details"]["tree"][0]
    assert "More than 4 categories (POLYCMS_TAXONOMY['TREE_MAX_NODES'])" in message
    assert client.get(f"{CATEGORIES}?tree=1&parent=electronics").status_code == HTTPStatus.OK


def test_moves_that_make_cycles_or_too_deep_trees_are_422_and_change_nothing(as_editor, shop, settings):
    url = f"{CATEGORIES}/electronics"
    for parent in ("electronics", "computers", "laptops"):
        assert "cycle" in error(as_editor.patch(url, {"parent": parent}, format="json"), 422)["details"]["parent"][0]
    settings.POLYCMS_TAXONOMY = {"MAX_DEPTH": 2}
    details = error(as_editor.patch(url, {"parent": "books"}, format="json"), 422)["details"]
    assert "POLYCMS_TAXONOMY['MAX_DEPTH']" in details["parent"][0]
    assert error(as_editor.patch(url, {"parent": "no-such"}, format="json"), 422)["details"] == {
        "parent": ["No category with this id or slug."]
    }
    assert APIClient().get(f"{CATEGORIES}/laptops").json()["data"]["path"] == ["electronics", "computers"]
    moved = as_editor.patch(f"{CATEGORIES}/computers", {"parent": None}, format="json").json()["data"]
    assert (moved["parent"], moved["depth"], moved["path"]) == (None, 0, [])
    assert APIClient().get(f"{CATEGORIES}/laptops").json()["data"]["path"] == ["computers"]


def test_deleting_a_category_with_children_is_409_naming_them_unless_reparented(as_editor, shop):
    body = error(as_editor.delete(f"{CATEGORIES}/electronics"), HTTPStatus.CONFLICT)
    assert body["code"] == "conflict"
    assert "has 2 subcategories: “Phones” (phones), “Computers” (computers)." in body["message"]
    assert body["details"] == {
        "children": [
            {"id": shop["phones"]["id"], "name": "Phones", "slug": "phones"},
            {"id": shop["computers"]["id"], "name": "Computers", "slug": "computers"},
        ]
    }
    assert error(as_editor.delete(f"{CATEGORIES}/electronics?reparent=computers"), 422)["details"]["reparent"]
    assert error(as_editor.delete(f"{CATEGORIES}/electronics?reparent=nope"), 422)["details"]["reparent"]
    assert as_editor.delete(f"{CATEGORIES}/electronics?reparent=books").status_code == HTTPStatus.NO_CONTENT
    assert APIClient().get(f"{CATEGORIES}/laptops").json()["data"]["path"] == ["books", "computers"]
    assert as_editor.delete(f"{CATEGORIES}/laptops").status_code == HTTPStatus.NO_CONTENT
    assert as_editor.delete(f"{CATEGORIES}/computers?reparent=0").status_code == HTTPStatus.NO_CONTENT
    assert sorted(Category.objects.values_list("slug", flat=True)) == ["books", "phones"]


def test_deleting_a_category_detaches_its_posts_which_stay(as_editor, editor, shop):
    post = Post.objects.create(title="P", slug="p", author=editor)
    Category.objects.get(slug="laptops").posts.add(post)
    assert as_editor.delete(f"{CATEGORIES}/laptops").status_code == HTTPStatus.NO_CONTENT
    assert Post.objects.filter(pk=post.pk).exists()
    assert not Category.posts.through.objects.exists()


def test_writes_take_only_known_fields_and_put_takes_them_all(as_editor, shop):
    details = error(as_editor.post(CATEGORIES, {"name": "X", "colour": "red"}, format="json"), 422)["details"]
    assert details == {"colour": ["Unknown field. Writable fields: name, slug, description, parent, order."]}
    details = error(as_editor.put(f"{CATEGORIES}/books", {"name": "Novels"}, format="json"), 422)["details"]
    assert set(details) == {"slug", "description", "parent", "order"}
    # A fetched category can be sent back: read-only fields are ignored.
    books = APIClient().get(f"{CATEGORIES}/books").json()["data"]
    response = as_editor.put(f"{CATEGORIES}/books", {**books, "name": "Novels"}, format="json")
    assert response.json()["data"]["name"] == "Novels" and response.json()["data"]["slug"] == "books"
    assert error(as_editor.post(CATEGORIES, {"name": "Y", "order": -1}, format="json"), 422)["details"]["order"]
    assert error(as_editor.post(CATEGORIES, {"name": "Y", "slug": "Bad Slug"}, format="json"), 422)["details"]["slug"]
    assert error(as_editor.patch(f"{CATEGORIES}/books", {"slug": "phones"}, format="json"), 422)["details"] == {
        "slug": ["This slug is already in use."]
    }


def test_lists_walk_by_cursor_too_but_not_by_post_count(shop, make_tag):
    client = APIClient()
    first = client.get(f"{CATEGORIES}?cursor=&per_page=2")
    assert names(first) == ["Laptops", "Phones"]
    assert names(client.get(first.json()["links"]["next"])) == ["Computers", "Electronics"]
    make_tag("Python")
    assert names(client.get(f"{TAGS}?cursor=&ordering=-name")) == ["Python"]
    for url in (CATEGORIES, TAGS):
        assert list(error(client.get(f"{url}?cursor=&ordering=-post_count"), 422)["details"]) == ["ordering"]


def test_list_query_parameters_are_checked(shop):
    client = APIClient()
    assert list(error(client.get(f"{CATEGORIES}?sort=name"), 422)["details"]) == ["sort"]
    assert list(error(client.get(f"{CATEGORIES}?parent=1&parent=2"), 422)["details"]) == ["parent"]
    assert list(error(client.get(f"{CATEGORIES}?ordering=colour"), 422)["details"]) == ["ordering"]
    assert list(error(client.get(f"{CATEGORIES}/books?tree=1"), 422)["details"]) == ["tree"]
    assert list(error(client.get(f"{TAGS}?tree=1"), 422)["details"]) == ["tree"]


# ---------------------------------------------------------------------------- post counts


def test_post_count_counts_the_posts_the_caller_may_see(make_user, token_client, shop, editor):
    author = make_user("ann", role="Author")
    now = timezone.now()
    posts = [
        Post.objects.create(title="Live", slug="live", author=editor, status="published", published_at=now),
        Post.objects.create(
            title="Later", slug="later", author=editor, status="published", published_at=now + timedelta(days=1)
        ),
        Post.objects.create(title="Draft", slug="draft", author=editor),
        Post.objects.create(title="Ann's draft", slug="anns", author=author),
    ]
    laptops = Category.objects.get(slug="laptops")
    laptops.posts.add(*posts)
    tag = Tag.objects.create(name="Deals", slug="deals")
    tag.posts.add(*posts)

    def counts(client) -> tuple[int, int]:
        category = client.get(f"{CATEGORIES}/laptops").json()["data"]["post_count"]
        return category, client.get(f"{TAGS}/deals").json()["data"]["post_count"]

    assert counts(APIClient()) == (1, 1)
    assert counts(token_client(author)) == (2, 2)
    assert counts(token_client(editor, name="Counting")) == (4, 4)
    assert [c["post_count"] for c in APIClient().get(f"{CATEGORIES}?tree=1").json()["data"][0]["children"]] == [0, 0]


# ---------------------------------------------------------------------------- tags


def test_tags_are_crud_by_id_or_slug_with_names_unique_whatever_their_case(as_editor):
    python = created(as_editor, TAGS, name="Python", description="The language.")
    assert (python["slug"], python["post_count"]) == ("python", 0)
    body = error(as_editor.post(TAGS, {"name": "PYTHON"}, format="json"), HTTPStatus.UNPROCESSABLE_ENTITY)
    assert body["details"] == {"name": ["A tag with this name already exists: “Python” (python)."]}
    assert created(as_editor, TAGS, name="Python!")["slug"] == "python-2"
    assert as_editor.patch(f"{TAGS}/python", {"name": "python"}, format="json").json()["data"]["name"] == "python"
    assert APIClient().get(f"{TAGS}/{python['id']}").json()["data"]["name"] == "python"
    assert as_editor.delete(f"{TAGS}/python-2").status_code == HTTPStatus.NO_CONTENT
    assert error(APIClient().get(f"{TAGS}/python-2"), HTTPStatus.NOT_FOUND)["message"] == "No tag with this id or slug."


def test_tags_are_searched_and_ordered_by_name_or_post_count(as_editor, editor):
    for name in ("Django", "Python", "Rust"):
        created(as_editor, TAGS, name=name)
    now = timezone.now()
    for i, slug in enumerate(["python", "python", "rust"]):
        post = Post.objects.create(title=f"P{i}", slug=f"p{i}", author=editor, status="published", published_at=now)
        Tag.objects.get(slug=slug).posts.add(post)
    client = APIClient()
    assert names(client.get(TAGS)) == ["Django", "Python", "Rust"]
    assert names(client.get(f"{TAGS}?ordering=-post_count")) == ["Python", "Rust", "Django"]
    assert names(client.get(f"{TAGS}?search=ST")) == ["Rust"]


# ---------------------------------------------------------------------------- who may do what


WRITES = [
    ("post", CATEGORIES, {"name": "New"}, HTTPStatus.CREATED),
    ("patch", f"{CATEGORIES}/books", {"name": "Novels"}, HTTPStatus.OK),
    ("delete", f"{CATEGORIES}/books", None, HTTPStatus.NO_CONTENT),
    ("post", TAGS, {"name": "New"}, HTTPStatus.CREATED),
    ("patch", f"{TAGS}/old", {"name": "Older"}, HTTPStatus.OK),
    ("delete", f"{TAGS}/old", None, HTTPStatus.NO_CONTENT),
]


@pytest.fixture
def books_and_old(make_category, make_tag):
    make_category("Books")
    make_tag("Old")


@pytest.mark.parametrize(
    ("role", "may_write"), [("Editor", True), ("Author", False), ("Contributor", False), (None, False)]
)
@pytest.mark.parametrize(("method", "url", "body", "success"), WRITES)
def test_only_editors_manage_categories_and_tags(
    make_user, token_client, books_and_old, role, may_write, method, url, body, success
):
    client = token_client(make_user("someone", role=role))
    assert client.get(url.rsplit("/", 1)[0] if url.count("/") > 3 else url).status_code == HTTPStatus.OK
    response = getattr(client, method)(url, body, format="json")
    if may_write:
        assert response.status_code == success, response.content
    else:
        assert error(response, HTTPStatus.FORBIDDEN)["code"] == "permission_denied"


@pytest.mark.parametrize(("method", "url", "body", "success"), WRITES)
def test_anonymous_callers_read_but_never_write(books_and_old, method, url, body, success):
    client = APIClient()
    assert client.get(f"{CATEGORIES}/books").status_code == HTTPStatus.OK
    assert client.get(f"{TAGS}/old").status_code == HTTPStatus.OK
    assert error(getattr(client, method)(url, body, format="json"), 401)["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("abilities", "reads", "writes"),
    [
        (["*"], True, True),
        (["read"], True, False),
        (["taxonomy:read"], True, False),
        (["taxonomy:write"], True, True),
        (["posts:write"], False, False),
        (["user:read"], False, False),
    ],
)
def test_tokens_need_the_taxonomy_abilities(editor, token_client, books_and_old, abilities, reads, writes):
    client = token_client(editor, abilities=abilities)
    for url in (CATEGORIES, TAGS, f"{CATEGORIES}/books", f"{TAGS}/old"):
        assert client.get(url).status_code == (HTTPStatus.OK if reads else HTTPStatus.FORBIDDEN)
    for method, url, body, success in WRITES:
        response = getattr(client, method)(url, body, format="json")
        if writes:
            assert response.status_code == success
        else:
            assert "taxonomy:write" in error(response, HTTPStatus.FORBIDDEN)["message"]


def test_sessions_write_too_with_their_csrf_token(editor, session_client):
    client = session_client(editor, enforce_csrf=True)
    assert client.post(CATEGORIES, {"name": "X"}, format="json").status_code == HTTPStatus.FORBIDDEN
    csrf = client.get("/api/v1/auth/csrf")["X-CSRFToken"]
    response = client.post(CATEGORIES, {"name": "X"}, format="json", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == HTTPStatus.CREATED


# ---------------------------------------------------------------------------- query budgets


@pytest.mark.parametrize("count", [3, 60])
def test_a_category_page_costs_the_same_queries_whatever_its_size(
    editor, token_client, make_category, django_assert_num_queries, count
):
    top = make_category("Top")
    for i in range(count):
        make_category(f"C{i}", parent=make_category(f"Sub {i}", parent=top))
    client = token_client(editor)
    client.get("/api/v1/user")  # last_used_at written now, not during the measured request
    # token + owner + permissions, the page with its post counts, COUNT (only when the page is full), the slugs of
    # the ancestors not on the page
    with django_assert_num_queries(4 if count > 20 else 3):
        response = client.get(f"{CATEGORIES}?per_page=20&search=C")
    assert len(response.json()["data"]) == min(count, 20)
    assert response.json()["data"][0]["path"] == ["top", "sub-0"]
    with django_assert_num_queries(1):  # the whole tree with its post counts
        APIClient().get(f"{CATEGORIES}?tree=1")


def test_a_tag_page_costs_one_query_anonymous(make_tag, django_assert_num_queries):
    for i in range(30):
        make_tag(f"T{i}")
    with django_assert_num_queries(2):  # the page with its post counts, COUNT
        assert len(APIClient().get(f"{TAGS}?ordering=-post_count").json()["data"]) == 20
