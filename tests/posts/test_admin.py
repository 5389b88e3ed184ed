"""The posts admin (posts.admin, posts.forms, posts.widgets): listing, the Editor.js widget over its JSON field and
its errors, edit conflicts and slug races answered with the form, and the API's role rules. In a real browser:
tests/browser/test_admin_editor.py."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from posts import services
from posts.content.blocks import BLOCK_TYPES, lists, table
from posts.content.sanitizer import EMBED_HOSTS
from posts.forms import PostAdminForm
from posts.models import Post
from posts.widgets import LIST_MAX_LEVEL, TABLE_MAX_COLUMNS, TABLE_MAX_ROWS, VENDORED, EditorJSWidget
from tests.concurrency import run_concurrently
from tests.conftest import postgres_only

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
        "opened_version": post.version,
        **overrides,
    }


def editor_config(response) -> dict[str, Any]:
    """The configuration the content widget hands post-editor.js."""
    match = re.search(
        r'<script id="id_content_raw_editor" type="application/json">(.*?)</script>', response.content.decode()
    )
    assert match, "no editor configuration on the page"
    return json.loads(match.group(1))


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
    assert changelist.list_display[1:] == ["title", "type", "status_badge", "author", "published", "updated"]
    assert [spec.title for spec in changelist.filter_specs] == ["status", "type", "author"]
    assert changelist.date_hierarchy == "published_at"


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
    assert titles(q="there") == {"Bob's draft", "Eddie's page", "Eddie's archive"}  # the content's text


def test_the_list_shows_each_posts_status_as_a_badge(client, editor_staff, make_post):
    make_post(editor_staff, "A draft")
    make_post(editor_staff, "Live", status="published")
    make_post(editor_staff, "Later", status="published", published_at=timezone.now() + timedelta(days=3))
    make_post(editor_staff, "Old", status="archived")

    page = signed_in(client, editor_staff).get(CHANGELIST).content.decode()

    for status, label in [
        ("draft", "Draft"),
        ("published", "Published"),
        ("scheduled", "Scheduled"),
        ("archived", "Archived"),
    ]:
        assert f'<span class="post-status post-status--{status}">{label}</span>' in page
    assert "posts/admin/posts.css" in page


def test_the_list_navigates_by_publication_date(client, editor_staff, make_post):
    make_post(editor_staff, "Then", status="published", published_at=datetime(2024, 5, 1, tzinfo=UTC))
    make_post(editor_staff, "Now", status="published")
    make_post(editor_staff, "Draft")

    response = signed_in(client, editor_staff).get(CHANGELIST, {"published_at__year": "2024"})

    assert response.status_code == HTTPStatus.OK
    assert [post.title for post in response.context["cl"].result_list] == ["Then"]


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


def test_add_form_shows_an_empty_document_in_the_json_field_the_editor_enhances(client, editor_staff):
    response = signed_in(client, editor_staff).get(ADD)

    assert response.status_code == HTTPStatus.OK
    textarea = response.context["adminform"].form["content_raw"]
    assert json.loads(textarea.value()) == {"blocks": []}
    assert 'class="vLargeTextField editorjs-json"' in str(textarea)  # the field itself, without JavaScript
    config = editor_config(response)
    assert config["blockTypes"] == sorted(BLOCK_TYPES)
    assert config["embedServices"] == sorted(EMBED_HOSTS)
    assert config["problems"] == []
    page = response.content.decode()
    assert "posts/editorjs/post-editor.js" in page and "posts/editorjs/vendor/editorjs.js" in page
    assert "<script>" not in page  # configuration as data, never inline script (CSP)


def test_the_editor_gets_the_responses_csp_nonce_for_the_styles_editorjs_injects(client, editor_staff):
    response = signed_in(client, editor_staff).get(ADD)

    nonce = editor_config(response)["styleNonce"]
    assert nonce and f"'nonce-{nonce}'" in response["Content-Security-Policy"]


def test_the_editors_structural_limits_are_the_validators():
    assert (LIST_MAX_LEVEL, TABLE_MAX_ROWS, TABLE_MAX_COLUMNS) == (
        lists._MAX_LIST_DEPTH,
        table._MAX_TABLE_ROWS,
        table._MAX_TABLE_COLUMNS,
    )


def test_the_editors_assets_are_served_by_the_project_with_their_licences():
    media = EditorJSWidget().media
    for path in [*media._js, *media._css["all"]]:
        assert finders.find(path), f"{path} is not a static file of the project"
    vendor = Path(finders.find("posts/editorjs/vendor/VERSIONS.txt")).parent
    for name in VENDORED:
        assert (vendor / "licenses" / f"{name}.LICENSE.txt").is_file()
        assert f"posts/editorjs/vendor/{name}.js" in media._js
    assert "@editorjs/editorjs 2.31.7" in (vendor / "VERSIONS.txt").read_text()


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
        ("{not json", "Content is not valid JSON"),
        ("[]", 'Content must be a JSON object with a "blocks" array.'),
        (paragraphs("fine") + "x", "Content is not valid JSON"),
        (
            json.dumps({"blocks": [{"type": "paragraph", "data": {"text": "ok"}}, {"type": "foo", "data": {}}]}),
            "Block 2, type: Unknown block type 'foo'. Valid types: ",
        ),
        (
            json.dumps({"blocks": [{"type": "header", "data": {"text": "x", "level": 9}}]}),
            "Block 1 (Heading), heading level: Must be an integer from 1 to 6. (blocks[0].data.level)",
        ),
        (json.dumps({"time": "now", "blocks": []}), "The document's time: Must be an integer of at least 0."),
    ],
    ids=["not-json", "not-an-object", "trailing-garbage", "unknown-block-type", "bad-header-level", "bad-time"],
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
    assert error.startswith("Block 1, type: Unknown block type 'foo'. Valid types: ")
    post.refresh_from_db()
    assert (post.content_raw, post.version) == (DOCUMENT, 1)


def test_problems_inside_blocks_go_to_the_editor_to_be_shown_by_their_blocks(client, editor_staff):
    document = {
        "blocks": [
            {"type": "paragraph", "data": {"text": "fine"}},
            {"type": "list", "data": {"style": "ordered", "items": [{"content": "a"}, {"content": 5}]}},
            {"type": "table", "data": {"content": [["a", "b"], ["c", 7]]}},
            {"type": "image", "data": {"file": {"url": "javascript:alert(1)"}}},
        ],
    }

    response = signed_in(client, editor_staff).post(ADD, add_data(content_raw=json.dumps(document)))

    assert form_errors(response)["content_raw"] == [
        "Block 2 (List), item 2, text: Must be a string. (blocks[1].data.items[1].content)",
        "Block 3 (Table), row 2, cell 2: Must be a string. (blocks[2].data.content[1][1])",
        "Block 4 (Image), image URL: Must be an http or https URL. (blocks[3].data.file.url)",
    ]
    assert editor_config(response)["problems"] == [
        {"block": 1, "message": "Item 2, text: Must be a string."},
        {"block": 2, "message": "Row 2, cell 2: Must be a string."},
        {"block": 3, "message": "Image URL: Must be an http or https URL."},
    ]


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


# --- Edit conflicts and slug races ------------------------------------------------------------------------


def test_the_change_form_carries_the_version_the_editor_opened(client, editor_staff, make_post):
    post = make_post(editor_staff)
    services.post_update(post_id=post.pk, user=editor_staff, data={"title": "Second"})

    response = signed_in(client, editor_staff).get(change_url(post))

    assert '<input type="hidden" name="opened_version" value="2"' in response.content.decode()


def test_a_save_over_someone_elses_newer_version_says_who_and_when_and_keeps_what_was_typed(
    client, author_staff, editor_staff, make_post
):
    post = make_post(author_staff, "Ann's post")
    opened = Post.objects.get(pk=post.pk)
    services.post_update(post_id=post.pk, user=editor_staff, data={"excerpt": "Eddie was here"})
    editor_staff.first_name, editor_staff.last_name = "Eddie", "Tor"
    editor_staff.save()
    mine = paragraphs("Ann's careful rewrite")

    response = signed_in(client, author_staff).post(
        change_url(post), change_data(opened, title="Ann's new title", content_raw=mine)
    )

    assert response.status_code == HTTPStatus.OK
    (conflict,) = response.context["adminform"].form.non_field_errors()
    changed = Post.objects.get(pk=post.pk)
    when = timezone.localtime(changed.updated_at)
    assert conflict.startswith(
        f"Eddie Tor changed this post on {date_format(when, 'N j, Y')} at {date_format(when, 'H:i:s T')}, "
        "after you opened it. Nothing was saved: your version is still in the form below."
    )
    assert f'href="{change_url(post)}" target="_blank"' in conflict
    form = response.context["adminform"].form
    assert (form["title"].value(), form["content_raw"].value()) == ("Ann's new title", mine)
    assert (changed.title, changed.excerpt, changed.version) == ("Ann's post", "Eddie was here", 2)
    assert form["opened_version"].value() == "2"  # so saving again replaces Eddie's version, knowingly
    assert 'name="opened_version" value="2"' in response.content.decode()


def test_saving_again_after_a_conflict_replaces_the_newer_version(client, author_staff, editor_staff, make_post):
    post = make_post(author_staff, "Ann's post")
    opened = Post.objects.get(pk=post.pk)
    services.post_update(post_id=post.pk, user=editor_staff, data={"title": "Eddie's title"})
    client = signed_in(client, author_staff)
    client.post(change_url(post), change_data(opened, title="Ann's title"))

    response = client.post(change_url(post), change_data(opened, title="Ann's title", opened_version=2))

    assert response.status_code == HTTPStatus.FOUND
    post.refresh_from_db()
    assert (post.title, post.version, post.updated_by) == ("Ann's title", 3, author_staff)


def test_a_conflict_with_yourself_in_another_tab_says_so(client, author_staff, make_post):
    post = make_post(author_staff)
    opened = Post.objects.get(pk=post.pk)
    services.post_update(post_id=post.pk, user=author_staff, data={"title": "From the other tab"})

    response = signed_in(client, author_staff).post(change_url(post), change_data(opened, title="From this tab"))

    (conflict,) = response.context["adminform"].form.non_field_errors()
    assert conflict.startswith("You (in another window or tab) changed this post on ")


def test_the_version_is_checked_by_post_update_under_its_row_lock(client, author_staff, make_post, monkeypatch):
    # The form does not compare versions itself (that would be check-then-write): it hands the version the
    # editor opened to post_update as If-Match. Two saves at once: the PostgreSQL test below.
    post = make_post(author_staff)
    services.post_update(post_id=post.pk, user=author_staff, data={"title": "Second"})
    calls = []
    real_update = services.post_update
    monkeypatch.setattr(services, "post_update", lambda **kwargs: calls.append(kwargs) or real_update(**kwargs))

    signed_in(client, author_staff).post(change_url(post), change_data(post, title="Third", opened_version=2))

    (call,) = calls
    assert call["if_match"].matches(f'"{post.pk}-2"')
    assert not call["if_match"].matches(f'"{post.pk}-1"')


def test_a_slug_taken_by_a_concurrent_save_is_an_error_on_the_slug_not_a_500(
    client, editor_staff, make_post, monkeypatch
):
    # The form found the slug free; another save takes it before post_update writes: IntegrityError inside
    # the service, which must come back as the form's slug error.
    post = make_post(editor_staff, "Mine")
    other = make_post(editor_staff, "Other")
    real_update = services.post_update

    def racing_update(**kwargs):
        Post.objects.filter(pk=other.pk).update(slug="wanted")
        return real_update(**kwargs)

    monkeypatch.setattr(services, "post_update", racing_update)

    response = signed_in(client, editor_staff).post(change_url(post), change_data(post, slug="wanted", title="New"))

    assert response.status_code == HTTPStatus.OK
    assert form_errors(response)["slug"] == ["This slug is already in use."]
    form = response.context["adminform"].form
    assert (form["slug"].value(), form["title"].value()) == ("wanted", "New")
    post.refresh_from_db()
    assert (post.slug, post.title, post.version) == ("mine", "Mine", 1)


def test_a_post_keeps_a_slug(client, editor_staff, make_post):
    post = make_post(editor_staff, "Mine")

    response = signed_in(client, editor_staff).post(change_url(post), change_data(post, slug=""))

    assert form_errors(response)["slug"] == ["This field is required."]
    post.refresh_from_db()
    assert post.slug == "mine"


def test_saves_record_who_made_them(client, author_staff, editor_staff):
    client = signed_in(client, author_staff)
    client.post(ADD, add_data())
    post = Post.objects.get()
    assert post.updated_by == author_staff

    signed_in(client, editor_staff).post(change_url(post), change_data(post, title="Edited"))

    post.refresh_from_db()
    assert (post.updated_by, post.version) == (editor_staff, 2)


@pytest.mark.django_db(transaction=True)
@postgres_only
def test_two_editors_saving_one_post_at_once_one_wins_and_the_other_is_told(author_staff, editor_staff, make_post):
    post = make_post(author_staff, "Shared")
    opened = Post.objects.get(pk=post.pk)
    users = [author_staff, editor_staff]

    def save(index: int):
        client = Client()
        client.force_login(users[index])
        return client.post(change_url(post), change_data(opened, title=f"Writer {index}"))

    responses = run_concurrently(save, count=2)

    assert sorted(response.status_code for response in responses) == [HTTPStatus.OK, HTTPStatus.FOUND]
    loser = next(response for response in responses if response.status_code == HTTPStatus.OK)
    winner = users[1 - responses.index(loser)]
    (conflict,) = loser.context["adminform"].form.non_field_errors()
    assert "changed this post on" in conflict
    post.refresh_from_db()
    assert (post.version, post.updated_by) == (2, winner)


@pytest.mark.django_db(transaction=True)
@postgres_only
def test_two_renames_onto_one_slug_at_once_one_wins_and_the_other_gets_a_form_error(editor_staff, make_post):
    posts = [make_post(editor_staff, "First"), make_post(editor_staff, "Second")]

    def rename(index: int):
        client = Client()
        client.force_login(editor_staff)
        return client.post(change_url(posts[index]), change_data(posts[index], slug="wanted"))

    responses = run_concurrently(rename, count=2)

    assert sorted(response.status_code for response in responses) == [HTTPStatus.OK, HTTPStatus.FOUND]
    loser = next(response for response in responses if response.status_code == HTTPStatus.OK)
    assert "slug" in form_errors(loser)
    assert Post.objects.filter(slug="wanted").count() == 1


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
