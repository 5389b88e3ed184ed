"""The posts admin (posts.admin, posts.forms): listing, the Editor.js JSON editor, and the API's role rules."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from posts import services
from posts.forms import PostAdminForm
from posts.models import Post

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:posts_post_changelist")
ADD = reverse("admin:posts_post_add")

DOCUMENT = {
    "time": 1700000000000,
    "blocks": [
        {"id": "h1", "type": "header", "data": {"text": "Hello", "level": 2}},
        {"id": "p1", "type": "paragraph", "data": {"text": "Hi <b>there</b>"}},
    ],
    "version": "2.30.0",
}


def change_url(post: Post) -> str:
    return reverse("admin:posts_post_change", args=[post.pk])


def paragraphs(*texts: str) -> str:
    return json.dumps({"blocks": [{"type": "paragraph", "data": {"text": text}} for text in texts]}, indent=2)


def add_data(**overrides: Any) -> dict[str, Any]:
    """What the add form submits, as a browser would send it."""
    return {
        "title": "Hello admin",
        "slug": "",
        "type": "post",
        "excerpt": "",
        "content_raw": json.dumps(DOCUMENT, indent=2),
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "meta_title": "",
        "meta_description": "",
        **overrides,
    }


def change_data(post: Post, **overrides: Any) -> dict[str, Any]:
    """What the change form of ``post`` submits when only ``overrides`` are edited."""
    published_at = timezone.localtime(post.published_at) if post.published_at else None
    return {
        "title": post.title,
        "slug": post.slug,
        "type": post.type,
        "excerpt": post.excerpt,
        "content_raw": json.dumps(post.content_raw, indent=2),
        "status": post.status,
        "published_at_0": published_at.strftime("%Y-%m-%d") if published_at else "",
        "published_at_1": published_at.strftime("%H:%M:%S") if published_at else "",
        "meta_title": post.meta_title,
        "meta_description": post.meta_description,
        **overrides,
    }


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def form_errors(response) -> dict[str, list[str]]:
    return response.context["adminform"].form.errors


def preview_of(response) -> str:
    match = re.search(r'<div class="post-preview">(.*?)</div>', response.content.decode(), re.DOTALL)
    assert match, "no preview on the page"
    return match.group(1)


@pytest.fixture
def editor_staff(make_user) -> User:
    return make_user("eddie", role="Editor", is_staff=True)


@pytest.fixture
def author_staff(make_user) -> User:
    return make_user("ann", role="Author", is_staff=True)


@pytest.fixture
def other_author(make_user) -> User:
    return make_user("bob", role="Author", is_staff=True)


@pytest.fixture
def contributor_staff(make_user) -> User:
    return make_user("connie", role="Contributor", is_staff=True)


@pytest.fixture
def make_post() -> Callable[..., Post]:
    def make(author: User, title: str = "A post", **data: Any) -> Post:
        return services.post_create(author=author, data={"title": title, "content_raw": DOCUMENT, **data})

    return make


# --- Changelist -------------------------------------------------------------------------------------------


def test_editor_changelist_shows_every_post_with_the_columns_and_filters(client, editor_staff, other_author, make_post):
    make_post(other_author, "Bob's draft")
    make_post(editor_staff, "Eddie's page", type="page", status="published")

    response = signed_in(client, editor_staff).get(CHANGELIST)

    assert response.status_code == HTTPStatus.OK
    changelist = response.context["cl"]
    assert {post.title for post in changelist.result_list} == {"Bob's draft", "Eddie's page"}
    assert changelist.list_display[1:] == ["title", "type", "status", "author", "published_at", "updated_at"]
    assert [spec.title for spec in changelist.filter_specs] == ["status", "type", "author"]


def test_changelist_filters_and_search_narrow_the_list(client, editor_staff, other_author, make_post):
    make_post(other_author, "Bob's draft", excerpt="has the needle")
    make_post(editor_staff, "Eddie's page", type="page", status="published")
    make_post(editor_staff, "Eddie's archive", status="archived")
    client = signed_in(client, editor_staff)

    def titles(**query: Any) -> set[str]:
        response = client.get(CHANGELIST, query)
        assert response.status_code == HTTPStatus.OK  # an unknown filter would redirect with ?e=1
        return {post.title for post in response.context["cl"].result_list}

    assert titles(status__exact="draft") == {"Bob's draft"}
    assert titles(status__exact="archived") == {"Eddie's archive"}
    assert titles(type__exact="page") == {"Eddie's page"}
    assert titles(author__id__exact=other_author.pk) == {"Bob's draft"}
    assert titles(author__id__exact=editor_staff.pk, type__exact="post") == {"Eddie's archive"}
    assert titles(q="needle") == {"Bob's draft"}
    assert titles(q="eddies-page") == {"Eddie's page"}


def test_author_changelist_shows_live_posts_and_their_own(client, author_staff, other_author, make_post):
    make_post(author_staff, "Ann's draft")
    make_post(other_author, "Bob's draft")
    make_post(other_author, "Bob's live post", status="published")

    response = signed_in(client, author_staff).get(CHANGELIST)

    assert response.status_code == HTTPStatus.OK
    assert {post.title for post in response.context["cl"].result_list} == {"Ann's draft", "Bob's live post"}


# --- Adding and the Editor.js editor ----------------------------------------------------------------------


def test_adding_a_post_renders_its_content_and_makes_the_signed_in_user_its_author(client, editor_staff, other_author):
    response = signed_in(client, editor_staff).post(ADD, add_data(author=other_author.pk))

    assert response.status_code == HTTPStatus.FOUND
    post = Post.objects.get()
    assert response["Location"] == change_url(post) or response["Location"] == CHANGELIST
    assert post.author == editor_staff
    assert post.slug == "hello-admin"
    assert post.content_raw == DOCUMENT
    assert post.content_html == "<h2>Hello</h2>\n<p>Hi <b>there</b></p>"
    assert post.content_text == "Hello\nHi there"
    assert (post.status, post.published_at, post.version) == ("draft", None, 1)


def test_add_form_shows_an_empty_document_as_pretty_printed_json(client, editor_staff):
    response = signed_in(client, editor_staff).get(ADD)

    assert response.status_code == HTTPStatus.OK
    textarea = response.context["adminform"].form["content_raw"]
    assert json.loads(textarea.value()) == {"blocks": []}
    assert 'class="vLargeTextField editorjs-json"' in str(textarea)
    assert ".editorjs-json {" in response.content.decode()  # the monospace style of our change_form.html


def test_change_form_shows_the_document_as_pretty_printed_json(client, editor_staff, make_post):
    post = make_post(editor_staff)

    response = signed_in(client, editor_staff).get(change_url(post))

    shown = response.context["adminform"].form["content_raw"].value()
    assert json.loads(shown) == DOCUMENT
    assert shown.startswith('{\n  "')  # indented (PostgreSQL's jsonb keeps its own key order)


def test_a_taken_slug_gets_the_next_free_suffix_on_creation(client, editor_staff, make_post):
    make_post(editor_staff, "Hello admin")

    response = signed_in(client, editor_staff).post(ADD, add_data(slug="hello-admin"))

    assert response.status_code == HTTPStatus.FOUND
    assert Post.objects.filter(slug="hello-admin-2").exists()


@pytest.mark.parametrize(
    ("submitted", "error"),
    [
        ("{not json", "document: Content is not valid JSON"),
        ("[]", "document: "),
        (paragraphs("fine") + "x", "document: Content is not valid JSON"),
        (
            json.dumps({"blocks": [{"type": "paragraph", "data": {"text": "ok"}}, {"type": "foo", "data": {}}]}),
            "blocks[1].type: Unknown block type 'foo'.",
        ),
        (json.dumps({"blocks": [{"type": "header", "data": {"text": "x", "level": 9}}]}), "blocks[0].data.level: "),
    ],
    ids=["not-json", "not-an-object", "trailing-garbage", "unknown-block-type", "bad-header-level"],
)
def test_an_invalid_document_is_an_error_on_the_content_field_and_nothing_is_saved(
    client, editor_staff, submitted, error
):
    response = signed_in(client, editor_staff).post(ADD, add_data(content_raw=submitted))

    assert response.status_code == HTTPStatus.OK
    assert any(message.startswith(error) for message in form_errors(response)["content_raw"])
    assert response.context["adminform"].form["content_raw"].value() == submitted  # shown again as typed
    assert not Post.objects.exists()


def test_an_invalid_document_on_the_change_form_leaves_the_post_unchanged(client, editor_staff, make_post):
    post = make_post(editor_staff)
    submitted = json.dumps({"blocks": [{"type": "foo", "data": {}}]})

    response = signed_in(client, editor_staff).post(change_url(post), change_data(post, content_raw=submitted))

    (error,) = form_errors(response)["content_raw"]
    assert error.startswith("blocks[0].type: Unknown block type 'foo'. Valid types: ")
    post.refresh_from_db()
    assert (post.content_raw, post.version) == (DOCUMENT, 1)


def test_the_document_limits_from_settings_apply(client, editor_staff, settings):
    settings.POLYCMS_POSTS = {"CONTENT_MAX_BLOCKS": 2}

    response = signed_in(client, editor_staff).post(ADD, add_data(content_raw=paragraphs("a", "b", "c")))

    assert form_errors(response)["content_raw"][0].startswith("blocks: ")
    assert not Post.objects.exists()


def test_the_excerpt_has_the_apis_maximum_length(client, editor_staff):
    response = signed_in(client, editor_staff).post(ADD, add_data(excerpt="x" * 1001))

    assert response.status_code == HTTPStatus.OK
    assert form_errors(response)["excerpt"] == ["Ensure this value has at most 1000 characters (it has 1001)."]
    assert not Post.objects.exists()


def test_script_in_a_paragraph_does_not_survive_into_the_preview(client, editor_staff):
    payload = '<img src=x onerror="alert(1)">Hi<script>alert(2)</script> <a href="javascript:alert(3)">link</a>'
    client = signed_in(client, editor_staff)
    client.post(ADD, add_data(content_raw=paragraphs(payload)))
    post = Post.objects.get()

    response = client.get(change_url(post))

    assert response.status_code == HTTPStatus.OK
    preview = preview_of(response)
    assert preview.startswith("<p>Hi")
    assert "<img" not in preview and "<script" not in preview and "alert" not in preview
    assert "javascript:" not in preview
    page = response.content.decode()
    assert "<img src=x" not in page and "<script>alert" not in page


def test_the_preview_shows_the_rendered_content(client, editor_staff, make_post):
    post = make_post(editor_staff)

    response = signed_in(client, editor_staff).get(change_url(post))

    assert preview_of(response) == "<h2>Hello</h2>\n<p>Hi <b>there</b></p>"


# --- Publishing rules --------------------------------------------------------------------------------------


def test_staff_without_add_permission_cannot_open_the_add_form(client, make_user):
    viewer = make_user("vic", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_post"))

    response = signed_in(client, viewer).get(ADD)

    assert response.status_code == HTTPStatus.FORBIDDEN


def test_contributor_can_add_a_draft(client, contributor_staff):
    response = signed_in(client, contributor_staff).post(ADD, add_data())

    assert response.status_code == HTTPStatus.FOUND
    assert Post.objects.get().author == contributor_staff


@pytest.mark.parametrize(
    "publishing",
    [
        {"status": "published"},
        {"status": "published", "published_at_0": "2030-01-01", "published_at_1": "09:00:00"},
    ],
    ids=["now", "scheduled"],
)
def test_contributor_cannot_publish_a_new_post(client, contributor_staff, publishing):
    response = signed_in(client, contributor_staff).post(ADD, add_data(**publishing))

    assert response.status_code == HTTPStatus.OK
    assert form_errors(response)["status"] == ["You may not publish, schedule or unpublish posts."]
    assert not Post.objects.exists()


def test_contributor_cannot_publish_their_draft(client, contributor_staff, make_post):
    post = make_post(contributor_staff)

    response = signed_in(client, contributor_staff).post(change_url(post), change_data(post, status="published"))

    assert response.status_code == HTTPStatus.OK
    assert form_errors(response)["status"] == ["You may not publish, schedule or unpublish posts."]
    post.refresh_from_db()
    assert (post.status, post.published_at, post.version) == ("draft", None, 1)


def test_contributor_can_edit_their_draft(client, contributor_staff, make_post):
    post = make_post(contributor_staff)

    response = signed_in(client, contributor_staff).post(change_url(post), change_data(post, title="Better"))

    assert response.status_code == HTTPStatus.FOUND
    post.refresh_from_db()
    assert (post.title, post.status, post.version) == ("Better", "draft", 2)


def test_contributor_sees_published_at_read_only_and_cannot_backdate_through_the_form(
    client, contributor_staff, make_post
):
    client = signed_in(client, contributor_staff)
    page = client.get(ADD)
    backdated = {"published_at_0": "2001-01-01", "published_at_1": "00:00:00"}

    added = client.post(ADD, add_data(**backdated))
    post = Post.objects.get()
    changed = client.post(change_url(post), change_data(post, **backdated))

    assert 'name="published_at_0"' not in page.content.decode()
    assert added.status_code == changed.status_code == HTTPStatus.FOUND
    post.refresh_from_db()
    assert (post.published_at, post.version) == (None, 2)


def test_the_form_refuses_published_at_from_a_user_who_may_not_publish(contributor_staff, make_post):
    # The admin shows this user the date read-only; the form itself still asks posts.services.
    post = make_post(contributor_staff)
    form = PostAdminForm(data={**change_data(post), "published_at": "2001-01-01 00:00:00"}, instance=post)
    form.user = contributor_staff

    assert not form.is_valid()
    assert form.errors == {"published_at": ["You may not set published_at: only users who may publish posts can."]}


def test_author_can_date_their_draft(client, author_staff, make_post):
    post = make_post(author_staff)

    response = signed_in(client, author_staff).post(
        change_url(post), change_data(post, published_at_0="2001-01-01", published_at_1="00:00:00")
    )

    assert response.status_code == HTTPStatus.FOUND
    post.refresh_from_db()
    assert post.status == "draft" and post.published_at.year == 2001


def test_author_can_publish_their_draft(client, author_staff, make_post):
    post = make_post(author_staff)

    response = signed_in(client, author_staff).post(change_url(post), change_data(post, status="published"))

    assert response.status_code == HTTPStatus.FOUND
    post.refresh_from_db()
    assert post.status == "published" and post.published_at is not None and post.is_live()


def test_editing_a_published_post_keeps_its_publication_time(client, author_staff, make_post):
    post = make_post(author_staff, status="published")
    post = Post.objects.get(pk=post.pk)

    signed_in(client, author_staff).post(change_url(post), change_data(post, title="Retitled"))

    # The form shows whole seconds; a resubmitted, unchanged date must not overwrite the stored one.
    reloaded = Post.objects.get(pk=post.pk)
    assert (reloaded.title, reloaded.published_at, reloaded.version) == ("Retitled", post.published_at, 2)


# --- Whose posts ---------------------------------------------------------------------------------------------


def test_author_sees_another_authors_live_post_read_only_and_cannot_save_it(
    client, author_staff, other_author, make_post
):
    post = make_post(other_author, "Bob's post", status="published")
    client = signed_in(client, author_staff)

    page = client.get(change_url(post))
    response = client.post(change_url(post), change_data(post, title="Hijacked"))

    assert page.status_code == HTTPStatus.OK
    assert page.context["has_change_permission"] is False
    assert 'name="title"' not in page.content.decode()
    assert response.status_code == HTTPStatus.FORBIDDEN
    post.refresh_from_db()
    assert (post.title, post.version) == ("Bob's post", 1)


def test_author_cannot_open_another_authors_draft(client, author_staff, other_author, make_post):
    post = make_post(other_author, "Bob's draft")

    response = signed_in(client, author_staff).get(change_url(post))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("admin:index")


def test_editor_can_edit_another_authors_post(client, editor_staff, other_author, make_post):
    post = make_post(other_author, "Bob's post", status="published")
    client = signed_in(client, editor_staff)

    page = client.get(change_url(post))
    response = client.post(change_url(post), change_data(post, title="Edited", content_raw=paragraphs("New")))

    assert page.context["has_change_permission"] is True
    assert response.status_code == HTTPStatus.FOUND
    post.refresh_from_db()
    assert (post.title, post.content_html, post.version) == ("Edited", "<p>New</p>", 2)
    assert post.author == other_author


def test_changing_to_a_taken_slug_is_an_error_on_the_slug(client, editor_staff, make_post):
    make_post(editor_staff, "First")
    post = make_post(editor_staff, "Second")

    response = signed_in(client, editor_staff).post(change_url(post), change_data(post, slug="first"))

    assert response.status_code == HTTPStatus.OK
    assert "slug" in form_errors(response)
    post.refresh_from_db()
    assert post.slug == "second"


def test_author_cannot_delete_another_authors_post(client, author_staff, other_author, make_post):
    post = make_post(other_author, "Bob's post", status="published")
    client = signed_in(client, author_staff)
    delete_url = reverse("admin:posts_post_delete", args=[post.pk])

    confirmation = client.get(delete_url)
    single = client.post(delete_url, {"post": "yes"})
    bulk = client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [post.pk], "post": "yes"})

    assert confirmation.status_code == HTTPStatus.FORBIDDEN
    assert single.status_code == HTTPStatus.FORBIDDEN
    assert bulk.status_code == HTTPStatus.FORBIDDEN
    assert Post.objects.filter(pk=post.pk).exists()


def test_author_can_delete_their_own_posts_in_bulk(client, author_staff, other_author, make_post):
    own = [make_post(author_staff, "One"), make_post(author_staff, "Two", status="published")]
    others = make_post(other_author, "Bob's post", status="published")

    response = signed_in(client, author_staff).post(
        CHANGELIST, {"action": "delete_selected", "_selected_action": [post.pk for post in own], "post": "yes"}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert list(Post.objects.all()) == [others]


def test_bulk_delete_deletes_nothing_when_one_post_may_not_be_deleted(rf, author_staff, other_author, make_post):
    make_post(author_staff, "Mine")
    make_post(other_author, "Bob's post", status="published")
    request = rf.post(CHANGELIST)
    request.user = author_staff

    with pytest.raises(PermissionDenied):
        admin.site.get_model_admin(Post).delete_queryset(request, Post.objects.order_by("created_at", "id"))

    assert Post.objects.count() == 2


def test_non_staff_editor_cannot_reach_the_admin(client, editor):
    response = signed_in(client, editor).get(CHANGELIST)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("admin:login"))
