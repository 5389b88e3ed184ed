"""A Python client of PolyCMS written the way README documents the API, on the package openapi-python-client
generates from the live schema (``polycms_client``, written by tests/sdk/test_python_client.py). It must pass
``mypy --strict`` as it is; run against a live server with POLYCMS_URL and POLYCMS_TOKEN (an all-abilities
token), any failed expectation exits non-zero."""

from __future__ import annotations

import os

from polycms_client import AuthenticatedClient, Client
from polycms_client.api.health import health_retrieve
from polycms_client.api.posts import posts_create, posts_list, posts_partial_update, posts_retrieve
from polycms_client.api.user import user_retrieve
from polycms_client.models import (
    EditorJsDocument,
    EditorJsHeaderBlock,
    EditorJsHeaderBlockData,
    EditorJsHeaderBlockType,
    EditorJsParagraphBlock,
    EditorJsParagraphBlockData,
    EditorJsParagraphBlockType,
    ErrorEnvelope,
    HealthRetrieveResponse200,
    PaginatedPostSummaryList,
    PatchedPostRequest,
    Post,
    PostRequest,
    PostsCreateResponse201,
    PostsListOrderingItem,
    PostsListStatus,
    PostsPartialUpdateResponse200,
    PostsRetrieveResponse200,
    StatusEnum,
    UserRetrieveResponse200,
    ValidationErrorEnvelope,
)


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SystemExit(f"expected {what}")


def create_post(client: AuthenticatedClient, title: str, document: EditorJsDocument) -> tuple[Post, str]:
    body = PostRequest(
        title=title, status=StatusEnum.DRAFT, excerpt="Made by the Python SDK test.", content_raw=document
    )
    response = posts_create.sync_detailed(client=client, body=body)
    check(isinstance(response.parsed, PostsCreateResponse201), f"201 for {title}, not {response.status_code}")
    assert isinstance(response.parsed, PostsCreateResponse201)
    post = response.parsed.data
    check(response.headers.get("Location", "").endswith(f"/api/v1/posts/{post.id}"), "a Location header")
    return post, response.headers["ETag"]


def main() -> None:
    base_url, token = os.environ["POLYCMS_URL"], os.environ["POLYCMS_TOKEN"]
    client = AuthenticatedClient(base_url=base_url, token=token)

    # Public endpoints take a client without credentials.
    health = health_retrieve.sync(client=Client(base_url=base_url))
    check(isinstance(health, HealthRetrieveResponse200) and health.data.status == "ok", "health ok")

    # Who am I: a token's request says which token.
    me = user_retrieve.sync(client=client)
    check(isinstance(me, UserRetrieveResponse200), "the current user")
    assert isinstance(me, UserRetrieveResponse200)
    check(me.data.username != "", "a username")
    check(me.data.token is not None and "*" in [ability.value for ability in me.data.token.abilities], "the token")

    # A post with an Editor.js document as an object; its blocks come back typed.
    document = EditorJsDocument(
        blocks=[
            EditorJsHeaderBlock(
                type_=EditorJsHeaderBlockType.HEADER, data=EditorJsHeaderBlockData(text="Typed", level=2)
            ),
            EditorJsParagraphBlock(
                type_=EditorJsParagraphBlockType.PARAGRAPH,
                data=EditorJsParagraphBlockData(text="Written with <i>openapi-python-client</i>."),
            ),
        ]
    )
    post, etag = create_post(client, "SDK python B", document)
    check(post.slug.startswith("sdk-python-b"), f"a slug from the title, not {post.slug}")
    header = post.content_raw.blocks[0]
    check(isinstance(header, EditorJsHeaderBlock) and header.data.level == 2, "the header block, level 2")
    check("<h2>Typed</h2>" in post.content_html, "the rendered header")
    check(post.published_at is None and post.status == StatusEnum.DRAFT, "a draft")
    create_post(client, "SDK python A", EditorJsDocument(blocks=[]))
    create_post(client, "SDK python A", EditorJsDocument(blocks=[]))

    # Filters and a two-key ordering: the client sends ?ordering=title&ordering=-id.
    page = posts_list.sync(
        client=client,
        status=PostsListStatus.DRAFT,
        search="SDK python",
        ordering=[PostsListOrderingItem.TITLE, PostsListOrderingItem.ID_DESC],
        per_page=10,
    )
    check(isinstance(page, PaginatedPostSummaryList), "a page of posts")
    assert isinstance(page, PaginatedPostSummaryList)
    shown = [(item.title, item.id) for item in page.data]
    check(shown == sorted(shown, key=lambda item: (item[0], -item[1])) and len(shown) == 3, f"title, -id: {shown}")

    # Read it back, then PATCH with its ETag in If-Match, sending the fetched document back as it came.
    read = posts_retrieve.sync_detailed(id=str(post.id), client=client)
    check(isinstance(read.parsed, PostsRetrieveResponse200), "the post")
    assert isinstance(read.parsed, PostsRetrieveResponse200)
    fetched, etag = read.parsed.data, read.headers["ETag"]
    body = PatchedPostRequest(title="SDK python B, edited", content_raw=fetched.content_raw)
    updated = posts_partial_update.sync_detailed(id=str(post.id), client=client, body=body, if_match=etag)
    check(isinstance(updated.parsed, PostsPartialUpdateResponse200), f"200, not {updated.status_code}")
    assert isinstance(updated.parsed, PostsPartialUpdateResponse200)
    check(updated.parsed.data.content_raw.to_dict() == fetched.content_raw.to_dict(), "the same document")
    check(updated.headers["ETag"] != etag, "a new ETag")

    # The old ETag is stale now: 412, nothing written.
    stale = posts_partial_update.sync_detailed(
        id=str(post.id), client=client, body=PatchedPostRequest(title="lost update"), if_match=etag
    )
    check(stale.status_code == 412 and isinstance(stale.parsed, ErrorEnvelope), "412 on a stale ETag")
    assert isinstance(stale.parsed, ErrorEnvelope)
    check(stale.parsed.error.code.value == "precondition_failed", "precondition_failed")

    # A 422: its details say where each problem is.
    invalid_document = EditorJsDocument(
        blocks=[
            EditorJsHeaderBlock(type_=EditorJsHeaderBlockType.HEADER, data=EditorJsHeaderBlockData(text="x", level=9))
        ]
    )
    invalid = posts_create.sync_detailed(client=client, body=PostRequest(title="", content_raw=invalid_document))
    check(isinstance(invalid.parsed, ValidationErrorEnvelope), f"422, not {invalid.status_code}")
    assert isinstance(invalid.parsed, ValidationErrorEnvelope)
    details = invalid.parsed.error.details
    check(sorted(details.additional_keys) == ["content_raw.blocks[0].data.level", "title"], str(details.to_dict()))
    check(len(details["title"]) > 0 and invalid.parsed.error.message != "", "messages")

    print("python client: ok")


if __name__ == "__main__":
    main()
