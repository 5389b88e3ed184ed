"""Categories and tags in the admin (taxonomy.admin): the tree list with its order column and counts, forms saved
through the services (their refusals on the form), deletions, who sees and changes what; and the post form's
pickers (posts.admin with PostTermsAdminMixin). In a real browser: tests/browser/test_admin_taxonomy.py."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from posts import services as post_services
from posts.models import Post
from taxonomy.models import Category, Tag

pytestmark = pytest.mark.django_db

CATEGORIES = reverse("admin:taxonomy_category_changelist")
TAGS = reverse("admin:taxonomy_tag_changelist")
POST_ADD = reverse("admin:posts_post_add")
DOCUMENT = {"blocks": [{"type": "paragraph", "data": {"text": "Hi"}}]}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor(make_user) -> User:
    return make_user("eddie", role="Editor", is_staff=True)


@pytest.fixture
def author(make_user) -> User:
    return make_user("ann", role="Author", is_staff=True)


@pytest.fixture
def contributor(make_user) -> User:
    return make_user("connie", role="Contributor", is_staff=True)


@pytest.fixture
def shop(make_category) -> dict[str, Category]:
    electronics = make_category("Electronics", order=1)
    computers = make_category("Computers", parent=electronics, order=2)
    return {
        "books": make_category("Books", order=2),
        "electronics": electronics,
        "computers": computers,
        "phones": make_category("Phones", parent=electronics, order=1),
        "laptops": make_category("Laptops", parent=computers),
    }


def rows(response) -> list[tuple[int, str]]:
    """The category list's rows: (depth class, name)."""
    return [
        (int(depth), name)
        for depth, name in re.findall(
            r'class="category-name category-name--depth-(\d+)">([^<]+)<', response.content.decode()
        )
    ]


def form_errors(response) -> dict[str, list[str]]:
    return response.context["adminform"].form.errors


# ---------------------------------------------------------------------------- categories


def test_the_category_list_is_the_tree_indented_with_sibling_order_and_post_counts(editor, shop):
    post = Post.objects.create(title="P", slug="p", author=editor, status="published", published_at=timezone.now())
    shop["laptops"].posts.add(post)
    response = signed_in(editor).get(CATEGORIES)
    assert rows(response) == [(0, "Electronics"), (1, "Phones"), (1, "Computers"), (2, "Laptops"), (0, "Books")]
    assert [int(n) for n in re.findall(r'<td class="field-posts_count">(\d+)</td>', response.content.decode())] == [
        0,
        0,
        0,
        1,
        0,
    ]
    assert "taxonomy/admin/taxonomy.css" in response.content.decode()
    searched = signed_in(editor).get(CATEGORIES, {"q": "o"})  # still in tree order
    assert rows(searched) == [(0, "Electronics"), (1, "Phones"), (1, "Computers"), (2, "Laptops"), (0, "Books")]


def test_the_order_column_is_edited_in_the_list_through_the_services(editor, shop):
    client = signed_in(editor)
    page = client.get(CATEGORIES).context["cl"]
    data = {
        "form-TOTAL_FORMS": str(len(page.result_list)),
        "form-INITIAL_FORMS": str(len(page.result_list)),
        "_save": "Save",
    }
    for i, category in enumerate(page.result_list):
        data[f"form-{i}-id"] = str(category.pk)
        data[f"form-{i}-order"] = "5" if category.slug == "phones" else str(category.order)
    assert client.post(CATEGORIES, data).status_code == 302
    assert rows(client.get(CATEGORIES)) == [
        (0, "Electronics"),
        (1, "Computers"),
        (2, "Laptops"),
        (1, "Phones"),
        (0, "Books"),
    ]
    assert Category.objects.get(slug="phones").updated_at > Category.objects.get(slug="computers").updated_at


def test_a_category_is_added_with_a_free_slug_and_its_parent_chosen_from_the_indented_tree(editor, shop):
    client = signed_in(editor)
    form = client.get(reverse("admin:taxonomy_category_add")).context["adminform"].form
    assert [label for _, label in form.fields["parent"].choices] == [
        "— (top level)",
        "Electronics",
        "— Phones",
        "— Computers",
        "— — Laptops",
        "Books",
    ]
    response = client.post(
        reverse("admin:taxonomy_category_add"),
        {"name": "Laptops", "slug": "", "parent": shop["books"].pk, "order": 0, "description": ""},
    )
    assert response.status_code == 302
    made = Category.objects.get(parent=shop["books"])
    assert (made.slug, made.depth, made.ancestor_ids) == ("laptops-2", 1, [shop["books"].pk])


def test_a_category_cannot_be_offered_its_own_subtree_as_parent(editor, shop):
    url = reverse("admin:taxonomy_category_change", args=[shop["electronics"].pk])
    form = signed_in(editor).get(url).context["adminform"].form
    assert [label for _, label in form.fields["parent"].choices] == ["— (top level)", "Books"]
    response = signed_in(editor).post(
        url, {"name": "Electronics", "slug": "electronics", "parent": shop["laptops"].pk, "order": 1, "description": ""}
    )
    assert "parent" in form_errors(response)


def test_a_move_the_services_refuse_shows_the_form_again_with_their_reason(editor, shop, settings):
    settings.POLYCMS_TAXONOMY = {"MAX_DEPTH": 2}
    url = reverse("admin:taxonomy_category_change", args=[shop["computers"].pk])
    data = {"name": "Computers", "slug": "computers", "parent": shop["phones"].pk, "order": 2, "description": "new"}
    response = signed_in(editor).post(url, data)
    assert response.status_code == 200
    assert "POLYCMS_TAXONOMY['MAX_DEPTH']" in form_errors(response)["parent"][0]
    assert response.context["adminform"].form["description"].value() == "new"
    assert Category.objects.get(slug="computers").description == ""


def test_a_category_with_subcategories_cannot_be_deleted_and_its_page_names_them(editor, shop):
    response = signed_in(editor).get(reverse("admin:taxonomy_category_delete", args=[shop["electronics"].pk]))
    body = response.content.decode()
    assert "would require deleting the following protected related objects" in body
    assert "Phones" in body and "Computers" in body


def test_deleting_categories_in_bulk_refuses_parents_and_keeps_the_posts(editor, shop):
    post = Post.objects.create(title="P", slug="p", author=editor)
    shop["laptops"].posts.add(post)
    client = signed_in(editor)
    ids = [shop[slug].pk for slug in ("computers", "laptops")]
    refused = client.post(CATEGORIES, {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert "would require deleting the following protected related objects" in refused.content.decode()
    ids = [shop[slug].pk for slug in ("books", "laptops")]
    response = client.post(CATEGORIES, {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert response.status_code == 302
    assert sorted(Category.objects.values_list("slug", flat=True)) == ["computers", "electronics", "phones"]
    assert Post.objects.filter(pk=post.pk).exists()


# ---------------------------------------------------------------------------- tags


def test_the_tag_list_has_post_counts_sortable(editor, make_tag):
    python, rust = make_tag("Python"), make_tag("Rust")
    for i in range(2):
        python.posts.add(Post.objects.create(title=f"P{i}", slug=f"p{i}", author=editor))
    response = signed_in(editor).get(TAGS, {"o": "-3"})  # Posts (after the checkbox, name and slug), descending
    names = re.findall(r'<th class="field-name"><a [^>]*>([^<]+)</a>', response.content.decode())
    assert names == ["Python", "Rust"]
    assert re.findall(r'<td class="field-posts_count">(\d+)</td>', response.content.decode()) == ["2", "0"]
    assert rust.pk


def test_a_tag_name_taken_whatever_its_case_is_an_error_on_the_name(editor, make_tag):
    make_tag("Python")
    response = signed_in(editor).post(
        reverse("admin:taxonomy_tag_add"), {"name": "PYTHON", "slug": "", "description": ""}
    )
    assert form_errors(response) == {"name": ["A tag with this name already exists: “Python” (python)."]}
    response = signed_in(editor).post(
        reverse("admin:taxonomy_tag_add"), {"name": "Py", "slug": "python", "description": ""}
    )
    assert response.status_code == 302 and Tag.objects.get(name="Py").slug == "python-2"


# ---------------------------------------------------------------------------- who may do what


@pytest.mark.parametrize("role", ["Author", "Contributor"])
def test_authors_and_contributors_see_categories_and_tags_but_change_nothing(make_user, shop, make_tag, role):
    client = signed_in(make_user("someone", role=role, is_staff=True))
    for changelist, model in ((CATEGORIES, "category"), (TAGS, "tag")):
        response = client.get(changelist)
        assert response.status_code == 200
        assert reverse(f"admin:taxonomy_{model}_add") not in response.content.decode()
        assert client.get(reverse(f"admin:taxonomy_{model}_add")).status_code == 403
    assert "form-0-order" not in client.get(CATEGORIES).content.decode()  # no editable order column
    url = reverse("admin:taxonomy_category_change", args=[shop["books"].pk])
    assert client.post(url, {"name": "Mine", "slug": "books", "order": 0, "description": ""}).status_code == 403


def test_a_staff_user_without_a_role_sees_no_categories(make_user, shop):
    client = signed_in(make_user("stella", is_staff=True))
    assert client.get(CATEGORIES).status_code == 403
    picker = reverse("admin:taxonomy_category_picker")
    assert client.get(picker, {"term": "e"}).status_code == 403


# ---------------------------------------------------------------------------- the post form


def post_data(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Hello admin",
        "slug": "",
        "type": "post",
        "excerpt": "",
        "content_raw": json.dumps(DOCUMENT),
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "meta_title": "",
        "meta_description": "",
        "post_categories": [],
        "post_tags": [],
        "new_tags": "",
        **overrides,
    }


def change_data(post: Post, **overrides: Any) -> dict[str, Any]:
    post.refresh_from_db()
    as_it_is = {
        "title": post.title,
        "slug": post.slug,
        "opened_version": post.version,
        "post_categories": [c.pk for c in post.categories.all()],
        "post_tags": [t.pk for t in post.tags.all()],
    }
    return post_data(**{**as_it_is, **overrides})


def test_the_post_form_has_autocomplete_pickers_for_categories_and_tags(author, shop):
    body = signed_in(author).get(POST_ADD).content.decode()
    for name, model in (("post_categories", "category"), ("post_tags", "tag")):
        select = re.search(rf'<select name="{name}"[^>]*>', body).group(0)
        assert "admin-autocomplete" in select and "multiple" in select
        assert f'data-ajax--url="{reverse(f"admin:taxonomy_{model}_picker")}"' in select
    assert 'name="new_tags"' in body  # Authors may create tags while writing (AUTHORS_CREATE_TAGS, on by default)


def test_the_pickers_search_with_categories_named_by_their_path(author, shop, make_tag):
    make_tag("Python")
    client = signed_in(author)
    found = client.get(reverse("admin:taxonomy_category_picker"), {"term": "top"}).json()
    assert found == {
        "results": [{"id": str(shop["laptops"].pk), "text": "Electronics \u203a Computers \u203a Laptops"}],
        "pagination": {"more": False},
    }
    assert client.get(reverse("admin:taxonomy_tag_picker"), {"term": "py"}).json()["results"][0]["text"] == "Python"


def test_an_author_creates_a_post_with_categories_tags_and_a_new_tag(author, shop, make_tag):
    python = make_tag("Python")
    data = post_data(
        post_categories=[shop["laptops"].pk, shop["books"].pk], post_tags=[python.pk], new_tags="Rust, rust ,Go"
    )
    assert signed_in(author).post(POST_ADD, data).status_code == 302
    post = Post.objects.get(title="Hello admin")
    assert set(post.categories.values_list("slug", flat=True)) == {"laptops", "books"}
    assert sorted(post.tags.values_list("name", flat=True)) == ["Go", "Python", "Rust"]
    assert post.version == 1


def test_changing_only_the_tags_saves_them_as_a_new_version(author, shop, make_tag):
    post = post_services.post_create(author=author, data={"title": "T", "content_raw": DOCUMENT})
    shop["books"].posts.add(post)
    python = make_tag("Python")
    url = reverse("admin:posts_post_change", args=[post.pk])
    form = signed_in(author).get(url).context["adminform"].form
    assert form["post_categories"].value() == [shop["books"].pk]
    assert signed_in(author).post(url, change_data(post, post_tags=[python.pk])).status_code == 302
    post.refresh_from_db()
    assert (list(post.tags.all()), list(post.categories.all()), post.version) == ([python], [shop["books"]], 2)


def test_new_tags_are_for_whoever_may_create_them(contributor, author, settings):
    assert 'name="new_tags"' not in signed_in(contributor).get(POST_ADD).content.decode()
    settings.POLYCMS_TAXONOMY = {"AUTHORS_CREATE_TAGS": False}
    assert 'name="new_tags"' not in signed_in(author).get(POST_ADD).content.decode()


def test_a_post_shown_read_only_lists_its_categories_and_tags(author, make_user, shop, make_tag):
    other = make_user("bob", role="Author", is_staff=True)
    post = post_services.post_create(
        author=other, data={"title": "Live", "content_raw": DOCUMENT, "status": "published"}
    )
    shop["laptops"].posts.add(post)
    make_tag("Python").posts.add(post)
    body = signed_in(author).get(reverse("admin:posts_post_change", args=[post.pk])).content.decode()
    assert "Electronics \u203a Computers \u203a Laptops" in body and "Python" in body
    assert 'name="post_categories"' not in body and 'name="new_tags"' not in body


def test_the_pickers_are_disabled_for_whoever_may_not_attach(make_user, shop):
    writer = make_user("wendy", role="Author", is_staff=True)
    writer.groups.first().permissions.remove(*writer.groups.first().permissions.filter(codename="assign_category"))
    writer = User.objects.get(pk=writer.pk)
    form = signed_in(writer).get(POST_ADD).context["adminform"].form
    assert form.fields["post_categories"].disabled and not form.fields["post_tags"].disabled
