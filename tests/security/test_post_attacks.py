"""Attacks on /api/v1/posts (issue 10, items 6, 8 and 9).

- Huge list responses: an anonymous ``GET /api/v1/posts?per_page=100`` of posts with large content answered
  hundreds of megabytes and grew the worker by as much. Defence: lists leave the content fields out unless
  ``?fields=`` asks for them, and then have at most ``MAX_CONTENT_PAGE_SIZE`` items; the excerpt has a maximum
  length, so a post without its content is bounded by its fields' maximum lengths.
- Hidden drafts' slugs: slugs are site-wide unique (they are public URLs), so renaming onto a hidden draft's slug
  is refused and creating with it gets ``-2``. Accepted trade-off: that reveals that the slug exists and nothing
  else: the answer is the one a visible post's slug gets, with no title, author or status.
- Backdating: a Contributor could set ``published_at`` on a draft, and it survived an Editor's later publish.
  Defence: only users who may publish write ``published_at`` (403 otherwise), in the API and the admin alike.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from http import HTTPStatus

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from posts import services
from posts.models import Post
from posts.settings import posts_settings

pytestmark = pytest.mark.django_db

# JSON writes this character as \u0001: six bytes for one character, more than any other costs.
COSTLIEST_CHARACTER = "\x01"
# A post without its content, every field at its maximum length of the costliest character, is about 14 KB of
# JSON: 100 of them and the envelope stay under this.
LIGHT_PAGE_MAX_BYTES = 2_000_000
# content_raw is at most CONTENT_MAX_BYTES of JSON, and content_html at most six times that ("'" in a code
# block renders as "&#x27;").
CONTENT_GROWTH = 1 + 6
ALL_FIELDS = (
    "id,type,title,slug,excerpt,content_raw,content_html,status,published_at,author,meta_title,meta_description"
)


def _costly(length: int) -> str:
    return COSTLIEST_CHARACTER * length


def _worst_document(max_bytes: int) -> dict:
    """The document whose rendering is largest for its size: code blocks of "'" filling ``max_bytes``."""
    blocks: list[dict] = []
    while True:
        trial = {"blocks": [*blocks, {"type": "code", "data": {"code": ""}}]}
        room = max_bytes - len(json.dumps(trial, separators=(",", ":")))
        if room <= 0:
            return {"blocks": blocks}
        blocks.append({"type": "code", "data": {"code": "'" * min(room, posts_settings.CONTENT_MAX_STRING_LENGTH)}})


def _seed_worst_posts(author: User, count: int, document: dict) -> None:
    """``count`` live posts with ``document`` as content and every other field at its longest and costliest."""
    author.username = "\U0001d504" * 150  # a letter of four UTF-8 bytes
    author.first_name, author.last_name = _costly(150), _costly(150)
    author.save()
    template = services.post_create(
        author=author,
        data={
            "title": _costly(255),
            "excerpt": _costly(services.EXCERPT_MAX_LENGTH),
            "content_raw": services.content_parse(document),
            "status": Post.Status.PUBLISHED,
            "meta_title": _costly(255),
            "meta_description": _costly(500),
        },
    )
    columns = {field.attname: getattr(template, field.attname) for field in Post._meta.concrete_fields}
    Post.objects.bulk_create(
        Post(**{**columns, "id": None, "slug": f"{index:04d}-{'a' * 250}"}) for index in range(count - 1)
    )


# ---------------------------------------------------------------------------- 6: huge list responses
def test_an_anonymous_list_of_100_of_the_largest_posts_stays_small(author):
    _seed_worst_posts(author, 100, _worst_document(16 * 1024))

    response = APIClient().get("/api/v1/posts?per_page=100")

    assert response.status_code == HTTPStatus.OK
    assert len(response.json()["data"]) == 100
    assert len(response.content) < LIGHT_PAGE_MAX_BYTES


def test_a_list_with_content_is_bounded_by_its_page_size_cap(author, settings):
    settings.POLYCMS_POSTS = {"CONTENT_MAX_BYTES": 16 * 1024}
    _seed_worst_posts(author, 21, _worst_document(16 * 1024))
    anonymous = APIClient()

    refused = anonymous.get(f"/api/v1/posts?fields={ALL_FIELDS}&per_page=21")
    response = anonymous.get(f"/api/v1/posts?fields={ALL_FIELDS}&per_page=20")

    assert refused.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert refused.json()["error"]["details"] == {
        "per_page": ["Must be at most 20 when fields include content_raw or content_html."]
    }
    assert response.status_code == HTTPStatus.OK
    worst_content = 20 * CONTENT_GROWTH * 16 * 1024
    assert 0.9 * worst_content < len(response.content) < worst_content + LIGHT_PAGE_MAX_BYTES / 5


def test_a_longer_excerpt_is_refused(as_contributor):
    response = as_contributor.post("/api/v1/posts", {"title": "t", "excerpt": _costly(1001)}, format="json")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert list(response.json()["error"]["details"]) == ["excerpt"]


# ---------------------------------------------------------------------------- 8: hidden drafts' slugs
@pytest.fixture
def as_contributor(contributor, token_client) -> APIClient:
    return token_client(contributor)


@pytest.fixture
def hidden_draft(make_user) -> Post:
    victim = make_user("vera", role="Author", first_name="Vera", last_name="Secret")
    return services.post_create(
        author=victim, data={"title": "Acme acquires Globex", "excerpt": "Embargoed until Monday"}
    )


@pytest.fixture
def visible_post(make_user) -> Post:
    return services.post_create(
        author=make_user("paul", role="Author"), data={"title": "Public news", "status": Post.Status.PUBLISHED}
    )


def _reveals_nothing_about(body: bytes, post: Post) -> bool:
    author = post.author
    secrets = [post.title, post.excerpt, author.username, author.first_name, author.last_name]
    secrets.append(f'"id":{post.pk},"type"')  # the post's id, not an author's
    return not any(secret.encode() in body for secret in secrets)


def test_renaming_onto_a_hidden_drafts_slug_answers_exactly_as_for_a_visible_post(
    as_contributor, hidden_draft, visible_post
):
    assert hidden_draft.slug == "acme-acquires-globex"
    mine = as_contributor.post("/api/v1/posts", {"title": "Mine"}, format="json").json()["data"]
    url = f"/api/v1/posts/{mine['id']}"

    onto_hidden = as_contributor.patch(url, {"slug": hidden_draft.slug}, format="json")
    onto_visible = as_contributor.patch(url, {"slug": visible_post.slug}, format="json")

    assert onto_hidden.status_code == onto_visible.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert (
        onto_hidden.json()
        == onto_visible.json()
        == {
            "error": {
                "code": "validation_error",
                "message": "slug: This slug is already in use.",
                "details": {"slug": ["This slug is already in use."]},
            }
        }
    )
    assert _reveals_nothing_about(onto_hidden.content, hidden_draft)
    assert Post.objects.get(pk=mine["id"]).slug == "mine"


def test_creating_with_a_hidden_drafts_slug_reveals_only_that_it_exists(as_contributor, hidden_draft, visible_post):
    onto_hidden = as_contributor.post("/api/v1/posts", {"title": "Guess", "slug": hidden_draft.slug}, format="json")
    onto_visible = as_contributor.post("/api/v1/posts", {"title": "Guess", "slug": visible_post.slug}, format="json")

    assert onto_hidden.status_code == onto_visible.status_code == HTTPStatus.CREATED
    assert onto_hidden.json()["data"]["slug"] == f"{hidden_draft.slug}-2"
    assert onto_visible.json()["data"]["slug"] == f"{visible_post.slug}-2"
    assert onto_hidden.json()["data"]["author"]["username"] == "connie"
    assert _reveals_nothing_about(onto_hidden.content, hidden_draft)


def test_a_hidden_drafts_slug_reads_as_a_slug_that_does_not_exist(as_contributor, hidden_draft):
    hidden = as_contributor.get(f"/api/v1/posts/{hidden_draft.slug}")
    missing = as_contributor.get("/api/v1/posts/no-such-post")
    assert hidden.status_code == missing.status_code == HTTPStatus.NOT_FOUND
    assert hidden.json() == missing.json()


def test_the_admin_refuses_a_hidden_drafts_slug_as_a_visible_posts(make_user, hidden_draft, visible_post):
    contributor = make_user("cora", role="Contributor", is_staff=True)
    mine = services.post_create(author=contributor, data={"title": "Mine"})
    client = Client()
    client.force_login(contributor)
    url = reverse("admin:posts_post_change", args=[mine.pk])
    form = {"title": "Mine", "type": "post", "excerpt": "", "content_raw": "", "status": "draft"}
    form |= {"meta_title": "", "meta_description": ""}

    onto_hidden = client.post(url, {**form, "slug": hidden_draft.slug})
    onto_visible = client.post(url, {**form, "slug": visible_post.slug})

    errors = [response.context["adminform"].form.errors for response in (onto_hidden, onto_visible)]
    assert errors[0] == errors[1] and list(errors[0]) == ["slug"]
    assert _reveals_nothing_about(onto_hidden.content, hidden_draft)


# ---------------------------------------------------------------------------- 9: backdating
BACKDATE = "2001-01-01T00:00:00Z"
BACKDATED = datetime(2001, 1, 1, tzinfo=UTC)
MAY_NOT_DATE = "You may not set published_at: only users who may publish posts can."


def test_a_contributor_cannot_backdate_a_draft_that_an_editor_then_publishes(as_contributor, editor, token_client):
    refused = as_contributor.post("/api/v1/posts", {"title": "Old news", "published_at": BACKDATE}, format="json")
    assert refused.status_code == HTTPStatus.FORBIDDEN
    assert refused.json()["error"] == {"code": "permission_denied", "message": MAY_NOT_DATE, "details": {}}
    assert not Post.objects.exists()

    draft = as_contributor.post("/api/v1/posts", {"title": "Old news"}, format="json").json()["data"]
    url = f"/api/v1/posts/{draft['id']}"
    refused = as_contributor.patch(url, {"published_at": BACKDATE}, format="json")
    assert refused.status_code == HTTPStatus.FORBIDDEN
    assert Post.objects.get(pk=draft["id"]).published_at is None

    before_publish = timezone.now()
    token_client(editor).patch(url, {"status": "published"}, format="json")
    assert Post.objects.get(pk=draft["id"]).published_at >= before_publish


@pytest.mark.parametrize(("role", "may_publish"), [("Contributor", False), ("Author", True), ("Editor", True)])
@pytest.mark.parametrize("action", ["create", "update"])
@pytest.mark.parametrize("with_date", [True, False], ids=["with published_at", "without published_at"])
def test_only_users_who_may_publish_set_published_at(make_user, token_client, role, may_publish, action, with_date):
    user = make_user("writer", role=role)
    client = token_client(user)
    body = {"title": "Dated", **({"published_at": BACKDATE} if with_date else {})}
    if action == "create":
        response = client.post("/api/v1/posts", body, format="json")
    else:
        draft = services.post_create(author=user, data={"title": "Draft"})
        response = client.patch(f"/api/v1/posts/{draft.pk}", body, format="json")

    if with_date and not may_publish:
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert response.json()["error"]["message"] == MAY_NOT_DATE
        assert list(Post.objects.values_list("title", "published_at", "version")) == (
            [] if action == "create" else [("Draft", None, 1)]
        )
        return
    assert response.status_code == (HTTPStatus.CREATED if action == "create" else HTTPStatus.OK)
    post = Post.objects.get()
    assert (post.title, post.status, post.published_at) == ("Dated", "draft", BACKDATED if with_date else None)


def test_a_contributor_may_send_back_the_date_a_publisher_set_but_not_change_it(
    contributor, as_contributor, editor, token_client
):
    draft = services.post_create(author=contributor, data={"title": "Draft"})
    url = f"/api/v1/posts/{draft.pk}"
    token_client(editor).patch(url, {"published_at": "2030-01-01T09:00:00.123456Z"}, format="json")
    current = as_contributor.get(url).json()["data"]

    kept = as_contributor.put(url, {**current, "title": "Retitled"}, format="json")
    cleared = as_contributor.patch(url, {"published_at": None}, format="json")

    assert kept.status_code == HTTPStatus.OK
    assert cleared.status_code == HTTPStatus.FORBIDDEN
    stored = Post.objects.get(pk=draft.pk)
    assert (stored.title, stored.published_at) == ("Retitled", datetime(2030, 1, 1, 9, 0, 0, 123456, tzinfo=UTC))
