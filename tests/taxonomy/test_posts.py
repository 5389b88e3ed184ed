"""Categories and tags on posts (/api/v1/posts): writing them by id, slug or name, reading them, the list filters,
the query budget, who may attach or create them, ETags and webhook payloads."""

from __future__ import annotations

import json
from http import HTTPStatus

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from posts.models import Post
from taxonomy.models import Category, Tag
from webhooks import services as webhook_services
from webhooks.models import WebhookEvent

pytestmark = pytest.mark.django_db

POSTS = "/api/v1/posts"


@pytest.fixture
def editor(make_user):
    return make_user("eddie", role="Editor")


@pytest.fixture
def as_editor(editor, token_client):
    return token_client(editor)


@pytest.fixture
def shop(make_category) -> dict[str, Category]:
    electronics = make_category("Electronics")
    computers = make_category("Computers", parent=electronics)
    return {
        "electronics": electronics,
        "computers": computers,
        "laptops": make_category("Laptops", parent=computers),
        "books": make_category("Books"),
    }


@pytest.fixture
def tags(make_tag) -> dict[str, Tag]:
    return {slug: make_tag(name) for slug, name in (("python", "Python"), ("django", "Django"), ("rust", "Rust"))}


def created(client, **body) -> dict:
    body.setdefault("title", "A title")
    response = client.post(POSTS, body, format="json")
    assert response.status_code == HTTPStatus.CREATED, response.content
    return response.json()["data"]


def brief(*items) -> list[dict]:
    return [{"id": item.pk, "name": item.name, "slug": item.slug} for item in items]


def details(response) -> dict:
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.content
    return response.json()["error"]["details"]


# ---------------------------------------------------------------------------- writing and reading


def test_categories_and_tags_are_written_by_id_or_slug_and_read_as_id_name_slug(as_editor, shop, tags):
    post = created(
        as_editor,
        categories=[shop["laptops"].pk, "books"],
        tags=["python", tags["django"].pk, {"id": tags["rust"].pk, "name": "ignored", "slug": "ignored"}],
        status="published",
    )
    assert post["categories"] == brief(shop["books"], shop["laptops"])  # by name
    assert post["tags"] == brief(tags["django"], tags["python"], tags["rust"])
    assert as_editor.get(f"{POSTS}/{post['id']}").json()["data"] | {"updated_at": None} == post | {"updated_at": None}
    (listed,) = APIClient().get(POSTS).json()["data"]
    assert (listed["categories"], listed["tags"]) == (post["categories"], post["tags"])
    assert APIClient().get(f"{POSTS}?fields=id,tags").json()["data"] == [{"id": post["id"], "tags": post["tags"]}]


def test_a_post_without_any_reads_empty_lists(as_editor):
    post = created(as_editor)
    assert (post["categories"], post["tags"]) == ([], [])
    assert as_editor.get(f"{POSTS}/{post['id']}").json()["data"]["categories"] == []


def test_unknown_ids_or_slugs_are_422_naming_them_and_nothing_is_written(as_editor, shop):
    response = as_editor.post(POSTS, {"title": "T", "categories": [999, "books", "nope", 999]}, format="json")
    assert details(response) == {"categories": ["No such categories: 999, 'nope'. Give ids or slugs of existing ones."]}
    assert not Post.objects.exists()
    assert details(as_editor.post(POSTS, {"title": "T", "tags": "python"}, format="json"))["tags"]
    assert details(as_editor.post(POSTS, {"title": "T", "tags": [True]}, format="json"))["tags"]
    assert details(as_editor.post(POSTS, {"title": "T", "categories": [{"name": "New"}]}, format="json"))["categories"]
    assert details(as_editor.post(POSTS, {"title": "T", "tags": [{"id": 1, "colour": "red"}]}, format="json"))["tags"]


def test_the_number_per_post_is_bounded(as_editor, make_tag, settings):
    settings.POLYCMS_TAXONOMY = {"MAX_TAGS_PER_POST": 2}
    names = [make_tag(f"T{i}").slug for i in range(3)]
    message = details(as_editor.post(POSTS, {"title": "T", "tags": names}, format="json"))["tags"][0]
    assert message == "A post has at most 2 tags (POLYCMS_TAXONOMY['MAX_TAGS_PER_POST'])."


def test_sending_a_set_replaces_it_and_leaving_it_out_keeps_it(as_editor, shop, tags):
    post = created(as_editor, categories=["books"], tags=["python", "rust"])
    url = f"{POSTS}/{post['id']}"
    kept = as_editor.patch(url, {"title": "Renamed"}, format="json").json()["data"]
    assert (kept["categories"], kept["tags"]) == (post["categories"], post["tags"])
    replaced = as_editor.patch(url, {"tags": ["django"]}, format="json").json()["data"]
    assert (replaced["categories"], replaced["tags"]) == (post["categories"], brief(tags["django"]))
    cleared = as_editor.patch(url, {"categories": []}, format="json").json()["data"]
    assert (cleared["categories"], cleared["tags"]) == ([], brief(tags["django"]))


def test_put_needs_them_too_and_takes_back_what_get_gave(as_editor, shop, tags):
    post = created(as_editor, categories=["books"], tags=["python"])
    url = f"{POSTS}/{post['id']}"
    fetched = as_editor.get(url).json()["data"]
    without = {name: value for name, value in fetched.items() if name not in {"categories", "tags"}}
    assert set(details(as_editor.put(url, without, format="json"))) == {"categories", "tags"}
    again = as_editor.put(url, {**fetched, "title": "Again"}, format="json").json()["data"]
    assert (again["categories"], again["tags"]) == (post["categories"], post["tags"])


def test_changing_only_the_sets_is_a_new_version_and_if_match_guards_it(as_editor, shop):
    post = as_editor.post(POSTS, {"title": "T"}, format="json")
    url, etag = f"{POSTS}/{post.json()['data']['id']}", post["ETag"]
    changed = as_editor.patch(url, {"categories": ["books"]}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == HTTPStatus.OK and changed["ETag"] != etag
    stale = as_editor.patch(url, {"categories": []}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == HTTPStatus.PRECONDITION_FAILED
    assert as_editor.get(url).json()["data"]["categories"] == brief(shop["books"])


def test_renaming_a_category_changes_the_etags_of_its_posts_and_of_lists(as_editor, shop):
    post = created(as_editor, categories=["books"], status="published")
    url, client = f"{POSTS}/{post['id']}", APIClient()
    item, listing = client.get(url), client.get(POSTS)
    as_editor.patch("/api/v1/categories/books", {"name": "Novels"}, format="json")
    fresh_item = client.get(url, HTTP_IF_NONE_MATCH=item["ETag"])
    assert fresh_item.status_code == HTTPStatus.OK
    assert fresh_item.json()["data"]["categories"][0]["name"] == "Novels"
    assert client.get(POSTS, HTTP_IF_NONE_MATCH=listing["ETag"]).status_code == HTTPStatus.OK


def test_webhook_payloads_include_the_categories_and_tags(editor, as_editor, shop, tags):
    webhook_services.webhook_create(owner=editor, target_url="https://hooks.example.com/in", events=["*"])
    post = created(as_editor, categories=["laptops"], tags=["python", {"name": "Brand new"}])
    as_editor.patch(f"{POSTS}/{post['id']}", {"tags": []}, format="json")
    bodies = [json.loads(event.body) for event in WebhookEvent.objects.order_by("pk")]
    assert [body["type"] for body in bodies] == ["post.created", "post.updated"]
    assert bodies[0]["data"]["categories"] == brief(shop["laptops"])
    assert [tag["name"] for tag in bodies[0]["data"]["tags"]] == ["Brand new", "Python"]
    assert (bodies[1]["data"]["categories"], bodies[1]["data"]["tags"]) == (brief(shop["laptops"]), [])


# ---------------------------------------------------------------------------- who may attach and create


def test_contributors_and_authors_attach_existing_ones_to_their_posts(make_user, token_client, shop, tags):
    for username, role in (("connie", "Contributor"), ("ann", "Author")):
        post = created(token_client(make_user(username, role=role)), categories=["laptops"], tags=["python"])
        assert (len(post["categories"]), len(post["tags"])) == (1, 1)


@pytest.mark.parametrize(
    ("role", "setting", "allowed"),
    [("Editor", False, True), ("Author", True, True), ("Author", False, False), ("Contributor", True, False)],
)
def test_new_tags_by_name_are_created_by_whoever_may(make_user, token_client, settings, role, setting, allowed):
    settings.POLYCMS_TAXONOMY = {"AUTHORS_CREATE_TAGS": setting}
    client = token_client(make_user("someone", role=role))
    Tag.objects.create(name="Python", slug="python")
    response = client.post(POSTS, {"title": "T", "tags": [{"name": "python"}, {"name": "Brand new"}]}, format="json")
    if allowed:
        assert response.status_code == HTTPStatus.CREATED
        assert [tag["name"] for tag in response.json()["data"]["tags"]] == ["Brand new", "Python"]
    else:
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert "“Brand new”" in response.json()["error"]["message"]
        assert not Post.objects.exists() and Tag.objects.count() == 1
    existing_only = client.post(POSTS, {"title": "T", "tags": [{"name": "PYTHON"}]}, format="json")
    assert existing_only.status_code == HTTPStatus.CREATED


def test_a_role_without_the_right_to_attach_sends_back_but_cannot_change_the_sets(
    make_user, token_client, shop, editor
):
    writer = make_user("wendy", role="Author")
    writer.groups.get().permissions.remove(*writer.groups.get().permissions.filter(codename="assign_category"))
    as_writer = token_client(writer)
    post = created(as_writer, title="Mine")
    Category.objects.get(slug="books").posts.add(Post.objects.get(pk=post["id"]))
    url = f"{POSTS}/{post['id']}"
    fetched = as_writer.get(url).json()["data"]
    assert as_writer.put(url, {**fetched, "title": "Kept"}, format="json").status_code == HTTPStatus.OK
    refused = as_writer.patch(url, {"categories": ["laptops"]}, format="json")
    assert refused.status_code == HTTPStatus.FORBIDDEN
    assert refused.json()["error"]["message"] == "You may not change the categories of posts."
    assert Post.objects.get(pk=post["id"]).title == "Kept"


def test_a_read_only_token_cannot_attach_and_posts_write_can(editor, token_client, shop):
    post = created(token_client(editor, name="Full"))
    url = f"{POSTS}/{post['id']}"
    read = token_client(editor, abilities=["read"], name="Read")
    assert read.patch(url, {"categories": ["books"]}, format="json").status_code == HTTPStatus.FORBIDDEN
    write = token_client(editor, abilities=["posts:write"], name="Write")
    assert write.patch(url, {"categories": ["books"]}, format="json").status_code == HTTPStatus.OK


# ---------------------------------------------------------------------------- filters


@pytest.fixture
def catalogue(editor, shop, tags) -> dict[str, int]:
    """Posts in the shop's categories, with tags, published."""
    now = timezone.now()
    made = {}
    for title, categories, tag_slugs in (
        ("Laptop review", ["laptops"], ["python", "django"]),
        ("Computer news", ["computers"], ["python"]),
        ("Gadgets", ["electronics"], ["rust"]),
        ("Novel", ["books"], ["python", "rust"]),
        ("Untagged", [], []),
    ):
        post = Post.objects.create(
            title=title, slug=title.lower().replace(" ", "-"), author=editor, status="published", published_at=now
        )
        for slug in categories:
            shop[slug].posts.add(post)
        for slug in tag_slugs:
            tags[slug].posts.add(post)
        made[title] = post.pk
    return made


def titles(response) -> set[str]:
    assert response.status_code == HTTPStatus.OK, response.content
    return {post["title"] for post in response.json()["data"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("category=electronics", {"Laptop review", "Computer news", "Gadgets"}),
        ("category=computers", {"Laptop review", "Computer news"}),
        ("category=laptops", {"Laptop review"}),
        ("category_exact=electronics", {"Gadgets"}),
        ("category_exact=computers", {"Computer news"}),
        ("category=no-such", set()),
        ("tag=python", {"Laptop review", "Computer news", "Novel"}),
        ("tag=python&tag=django", {"Laptop review"}),
        ("tag=python&tag=rust", {"Novel"}),
        ("tag=python&tag=no-such", set()),
        ("tag_any=django&tag_any=rust", {"Laptop review", "Gadgets", "Novel"}),
        ("tag_any=no-such&tag_any=rust", {"Gadgets", "Novel"}),
        ("category=electronics&tag=python", {"Laptop review", "Computer news"}),
        ("category=electronics&tag_any=rust&tag_any=django", {"Laptop review", "Gadgets"}),
        ("tag=python&search=review", {"Laptop review"}),
    ],
)
def test_posts_are_filtered_by_category_with_descendants_and_by_tags(catalogue, shop, tags, query, expected):
    assert titles(APIClient().get(f"{POSTS}?{query}")) == expected


def test_filters_take_ids_as_well_as_slugs_and_bearer_tokens(catalogue, shop, tags, editor, token_client):
    zapier = token_client(editor, abilities=["posts:read"])
    query = f"category={shop['computers'].pk}&tag={tags['python'].pk}&tag=django"
    assert titles(zapier.get(f"{POSTS}?{query}")) == {"Laptop review"}
    assert titles(zapier.get(f"{POSTS}?category_exact={shop['electronics'].pk}")) == {"Gadgets"}


def test_filters_refuse_what_they_cannot_take(catalogue):
    client = APIClient()
    assert list(details(client.get(f"{POSTS}?category=books&category=laptops"))) == ["category"]
    assert list(details(client.get(f"{POSTS}?" + "&".join(f"tag=t{i}" for i in range(11))))) == ["tag"]
    assert list(details(client.get(f"{POSTS}?tags=python"))) == ["tags"]


def test_a_post_listed_under_several_matching_categories_is_listed_once(catalogue, shop):
    shop["laptops"].posts.add(Post.objects.get(title="Computer news"))
    response = APIClient().get(f"{POSTS}?category=electronics&tag_any=python&tag_any=django")
    assert sorted(post["title"] for post in response.json()["data"]) == ["Computer news", "Laptop review"]
    assert response.json()["meta"]["total"] == 2


# ---------------------------------------------------------------------------- query budgets


def _seed(editor, shop, tags, n: int, *, with_terms: bool) -> None:
    now = timezone.now()
    posts = Post.objects.bulk_create(
        Post(title=f"P{i}", slug=f"p-{i}", author=editor, status="published", published_at=now) for i in range(n)
    )
    if with_terms:
        for post in posts:
            shop["laptops"].posts.add(post)
            shop["books"].posts.add(post)
            tags["python"].posts.add(post)
            tags["rust"].posts.add(post)


@pytest.mark.parametrize("with_terms", [False, True])
@pytest.mark.parametrize("per_page", [20, 100])
def test_a_list_with_categories_and_tags_costs_no_more_queries(
    editor, token_client, shop, tags, django_assert_num_queries, with_terms, per_page
):
    _seed(editor, shop, tags, 120, with_terms=with_terms)
    client = token_client(editor)
    client.get("/api/v1/user")  # last_used_at written now, not during the measured request
    with django_assert_num_queries(3):  # token + owner + permissions, the page (with its posts' sets), COUNT
        response = client.get(f"{POSTS}?per_page={per_page}")
    page = response.json()["data"]
    assert len(page) == per_page
    assert all(len(post["categories"]) == len(post["tags"]) == (2 if with_terms else 0) for post in page)
    with django_assert_num_queries(2):  # anonymous: the page, COUNT
        APIClient().get(f"{POSTS}?per_page={per_page}")
    with django_assert_num_queries(1):  # an item, anonymous
        assert len(APIClient().get(f"{POSTS}/{page[0]['id']}").json()["data"]["tags"]) == (2 if with_terms else 0)
    with django_assert_num_queries(4):  # token, the category's subtree root, the page, COUNT
        client.get(f"{POSTS}?per_page={per_page}&category=electronics&tag=python&tag_any=rust")
