"""``/api/v1/posts``: the headless content API."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Sequence

from django.db import connection
from django.db.models import QuerySet
from django.http import HttpResponseNotModified
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from api.caching import PublicReadMixin
from api.conditional import IfMatch, if_match_precondition, parse_if_none_match
from api.exceptions import NotFound, PreconditionFailed, ValidationError
from api.pagination import Rows
from api.query import QueryParametersMixin
from posts import idempotency, search, selectors, services
from posts.filters import DEFAULT_ORDERING, PostFilter, is_filtered, search_only
from posts.models import Post, parse_id, validate_post_slug
from posts.permissions import PostAccess
from posts.schema import ETAG, IDEMPOTENT_REPLAYED, PostSummarySerializer
from posts.serializers import CONTENT_FIELDS, FIELDS, LIST_FIELDS, PostSerializer, post_columns, post_representation
from posts.settings import posts_settings
from taxonomy.fields import split_terms
from taxonomy.services import writing_post_terms
from tokens.permissions import HasTokenAbility

POST_CHANGED = "The post has changed since you fetched it: If-Match does not match its ETag. Fetch it again."
POST_IS_CURRENT = "If-None-Match names the post's current version (or is *), so nothing was written."


def post_lookup(value: str) -> dict | None:
    """``{"pk": …}`` for an id, ``{"slug": …}`` for a slug, None for what can be neither (no query)."""
    if value.isascii() and value.isdigit():
        pk = parse_id(value)
        return None if pk is None else {"pk": pk}
    return {"slug": value} if validate_post_slug.regex.search(value) else None


def requested_fields(request: Request, default: Collection[str]) -> frozenset[str]:
    """The post fields ``?fields=a,b`` names, or ``default`` without the parameter. An empty list, an
    empty name or an unknown one is 422 (naming the valid fields), never ignored."""
    value = request.query_params.get("fields")
    if value is None:
        return frozenset(default)
    names = [name.strip() for name in value.split(",")]
    if not any(names):
        raise ValidationError({"fields": [f"Name at least one field: {', '.join(FIELDS)}."]})
    if not all(names):
        raise ValidationError({"fields": ["Separate field names with single commas, e.g. id,title,slug."]})
    unknown = [name for name in dict.fromkeys(names) if name not in FIELDS]
    if unknown:
        shown = ", ".join(repr(name if len(name) <= 40 else f"{name[:39]}…") for name in unknown[:5])
        noun = "field" if len(unknown) == 1 else "fields"
        raise ValidationError({"fields": [f"Unknown {noun} {shown}. Valid fields: {', '.join(FIELDS)}."]})
    return frozenset(names)


def _fields_parameter(description: str) -> OpenApiParameter:
    return OpenApiParameter(
        "fields",
        {"type": "array", "items": {"type": "string", "enum": list(FIELDS)}, "minItems": 1},
        OpenApiParameter.QUERY,
        style="form",
        explode=False,
        description=f"Fields to return, comma-separated (e.g. id,title,slug) or repeated; {description} An unknown "
        "field is 422. The response then holds only those fields: the others, required in the schema, are left out.",
    )


LIST_FIELDS_PARAMETER = _fields_parameter(
    "default every field but content_raw and content_html. With either of those, per_page is at most "
    "POLYCMS_POSTS['MAX_CONTENT_PAGE_SIZE'] (default 20); a larger one is 422."
)
ITEM_FIELDS_PARAMETER = _fields_parameter("default every field.")


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='The ETag you last saw, quotes included (e.g. "12-3"), a comma-separated list of ETags, or * for any '
    "version. A stale or weak (W/) one answers 412 and changes nothing; a malformed one is 400. Omit it and the "
    "last write wins.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Any unique string (e.g. a UUID), at most 255 characters. Retrying with the same key and body "
    "within 24 h returns the first response instead of creating a duplicate; the same key with another body is 422.",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag of the response you cached, as it came (a comma-separated list of ETags, or * for any). "
    "When the response would be the same (weak comparison) the answer is 304 Not Modified with no body; a "
    "malformed one is 400.",
)
IF_NONE_MATCH_WRITE = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="ETags (or *): when one names the post's current version (weak comparison) the answer is 412 and "
    "nothing changes.",
)
NOT_MODIFIED = OpenApiResponse(description="Not Modified: the If-None-Match ETag is current; no body.")
ID_OR_SLUG = OpenApiParameter("id", OpenApiTypes.STR, OpenApiParameter.PATH, description="Post id or slug.")


def _forget_renderer_context(response: Response) -> None:
    response.renderer_context = {}


def _not_modified(etag: str) -> HttpResponseNotModified:
    response = HttpResponseNotModified()
    response["ETag"] = etag
    return response


@extend_schema_view(
    list=extend_schema(
        parameters=[LIST_FIELDS_PARAMETER, IF_NONE_MATCH, ETAG],
        responses={200: PostSummarySerializer, 304: NOT_MODIFIED},
    ),
    create=extend_schema(parameters=[IDEMPOTENCY_KEY, ETAG, IDEMPOTENT_REPLAYED]),
    retrieve=extend_schema(
        parameters=[ID_OR_SLUG, ITEM_FIELDS_PARAMETER, IF_NONE_MATCH, ETAG],
        responses={200: PostSerializer, 304: NOT_MODIFIED},
    ),
    update=extend_schema(parameters=[ID_OR_SLUG, IF_MATCH, IF_NONE_MATCH_WRITE, ETAG]),
    partial_update=extend_schema(parameters=[ID_OR_SLUG, IF_MATCH, IF_NONE_MATCH_WRITE, ETAG]),
    destroy=extend_schema(parameters=[ID_OR_SLUG, IF_MATCH, IF_NONE_MATCH_WRITE]),
)
class PostViewSet(PublicReadMixin, QueryParametersMixin, viewsets.ModelViewSet):
    """Posts and pages. Anonymous callers see published posts; ``posts.view_post`` holders see all;
    everyone sees their own. Writes follow the Editor / Author / Contributor role rules.

    Reads are conditional: every item and list response has an ``ETag``, and ``If-None-Match`` naming it
    is answered 304 without reading or building the posts (items: their ids and versions; lists: those of
    the page's posts, their authors' names, the count), after authentication, permissions and
    visibility, so a 304 never tells anyone more than a 200 would."""

    serializer_class = PostSerializer
    permission_classes = [HasTokenAbility, PostAccess]
    filter_backends = [DjangoFilterBackend]
    filterset_class = PostFilter
    token_resource = "posts"
    query_parameters = {"list": ["fields"], "retrieve": ["fields"]}
    comma_separated_parameters = ("fields", "ordering")
    lookup_value_regex = r"[^/]+"
    # What responses show, and so what get_queryset loads: every field, or on reads what ?fields= names.
    response_fields: frozenset[str] = frozenset(FIELDS)

    @property
    def cache_max_age(self) -> int:
        return posts_settings.CACHE_MAX_AGE

    @property
    def cache_stale_while_revalidate(self) -> int:
        return posts_settings.CACHE_STALE_WHILE_REVALIDATE

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        # DRF leaves the response in reference cycles (view.response; renderer_context naming the view and the
        # response itself), so it outlives the request until the cyclic GC runs, which counts objects, not bytes:
        # pages of content tens of megabytes each piled up in a worker. Without the cycles it goes once sent.
        del self.response
        if isinstance(response, Response):
            response.add_post_render_callback(_forget_renderer_context)
        return response

    def get_queryset(self):
        return Post.objects.visible_to(self.request.user)

    def get_object(self) -> Post:
        """The post the URL names, if the caller may see it (else 404), loaded with the response's fields."""
        queryset = self.get_queryset().only(*post_columns(self.response_fields))
        if "author" in self.response_fields:
            queryset = queryset.select_related("author")
        lookup = post_lookup(self.kwargs["pk"])
        try:
            if lookup is None:
                raise Post.DoesNotExist
            post = queryset.get(**lookup)
        except Post.DoesNotExist:
            raise NotFound("No post with this id or slug.") from None
        self.check_object_permissions(self.request, post)
        return post

    def _visible_row(self, columns: Sequence[str]) -> tuple[Post, tuple]:
        """``get_object()`` for reads, in one prepared statement: the post the URL names (only its id and version
        loaded, for the permission check) and the ``columns`` of its row; 404 if the caller may not see it."""
        lookup = post_lookup(self.kwargs["pk"])
        row = None if lookup is None else selectors.visible_post_row(self.request.user, lookup, columns)
        if row is None:
            raise NotFound("No post with this id or slug.")
        post = Post.from_db(connection.alias, ["id", "version"], row[:2])
        self.check_object_permissions(self.request, post)
        return post, row

    def _item_response(self, post: Post, status_code: int = status.HTTP_200_OK) -> Response:
        response = Response(post_representation(self.response_fields).from_post(post), status=status_code)
        response["ETag"] = post.etag
        return response

    def list(self, request: Request, *args, **kwargs) -> Response:
        # The content fields only when asked for, and then in short pages: they are what can make a post large.
        self.response_fields = requested_fields(request, LIST_FIELDS)
        if self.response_fields & CONTENT_FIELDS:
            self.paginator.limit_page_size(
                posts_settings.MAX_CONTENT_PAGE_SIZE, "when fields include content_raw or content_html"
            )
        representation = post_representation(self.response_fields)
        now = timezone.now()  # the time this answer is for: which scheduled posts are out
        rows_of = self._list_source(request, now)
        columns = (*representation.columns, selectors.LIST_VALIDATOR)
        if_none_match = parse_if_none_match(request.headers.get("If-None-Match"))
        if if_none_match is not None:
            self.paginator.check_parameters(rows_of(columns), request)  # a bad one is 422, not 304
            etag = self._list_etag(selectors.list_validator(now))
            if if_none_match.matches(etag):
                return _not_modified(etag)
        rows = self.paginate_queryset(rows_of(columns))
        response = self.get_paginated_response(representation.from_rows(rows))
        # Read with the rows, in the same statement; on its own for an empty page.
        validator = rows[0][len(representation.columns)] if rows else selectors.list_validator(now)
        response["ETag"] = self._list_etag(validator)
        return response

    def _list_source(self, request: Request, now) -> Callable[[Sequence[str]], QuerySet | Rows]:
        """What the list reads, as a function of the columns: its rows with ``LIST_VALIDATOR`` among them.
        Without filters, or with ``search`` alone, a prepared statement (``posts.selectors``); else the
        filter set's queryset. A search is ranked (most relevant first, within a window of the newest
        matches) when the caller gave no ``ordering`` and walks pages: a cursor follows field orderings."""
        user, window = request.user, posts_settings.SEARCH_WINDOW
        ranks = search.full_text() and "ordering" not in request.query_params
        ranks = ranks and not self.paginator.uses_cursor(request)
        if not is_filtered(request.query_params):
            return lambda columns: selectors.VisiblePostRows(user, columns, now)
        if request.query_params.get("search", "").strip():
            self.paginator.limit_count(window)
        text = search_only(request.query_params)
        if text and ranks:
            return lambda columns: selectors.RankedPostRows(user, columns, now, text, window)
        queryset = self.filter_queryset(self.get_queryset())
        text = request.query_params.get("search", "").strip()
        if text and ranks:
            queryset = selectors.with_list_validator(
                search.ranked(queryset, text, window=window, then=DEFAULT_ORDERING), now
            )
            return lambda columns: search.RankedRows(queryset.values_list(*columns, search.TOTAL))
        queryset = selectors.with_list_validator(queryset, now)
        return lambda columns: queryset.values_list(*columns)

    def _list_etag(self, validator: str) -> str:
        """A list's ETag: a digest of what its body is made of. The request's URL (filters, fields, page or
        cursor, per_page) and representation; who the caller is and which posts they may see; and the list
        validator (``posts.selectors``), which changes whenever a post is written or deleted, an author
        renamed, or a scheduled post comes out. So a 304 is never stale, though any write anywhere makes
        every list answer 200 once again. Weak: it promises the same content, not the same bytes."""
        request = self.request
        made_of = (
            request.build_absolute_uri(),
            request.accepted_renderer.format,
            selectors.visibility(request.user),
            request.user.pk,
            validator,
        )
        return f'W/"{hashlib.blake2b(repr(made_of).encode(), digest_size=16).hexdigest()}"'

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        self.response_fields = requested_fields(request, FIELDS)
        representation = post_representation(self.response_fields)
        if_none_match = parse_if_none_match(request.headers.get("If-None-Match"))
        if if_none_match is not None:
            post, _ = self._visible_row(["id", "version"])
            if if_none_match.matches(post.etag):
                return _not_modified(post.etag)
        post, row = self._visible_row(representation.columns)
        response = Response(representation.from_rows([row])[0])
        response["ETag"] = post.etag
        return response

    def create(self, request: Request, *args, **kwargs) -> Response:
        key = request.headers.get("Idempotency-Key")
        if key is None:
            stored = self._create(request)
        else:
            if not key.strip() or len(key) > idempotency.KEY_MAX_LENGTH:
                raise ValidationError({"Idempotency-Key": ["Must be 1 to 255 characters."]})
            try:
                stored = idempotency.run_once(
                    user=request.user,
                    key=key,
                    request_fingerprint=idempotency.fingerprint(request.data),
                    action=lambda: self._create(request),
                )
            except idempotency.IdempotencyKeyReused:
                raise ValidationError(
                    {"Idempotency-Key": ["This key was already used with a different request body."]}
                ) from None
        response = Response(stored.body, status=stored.status_code, headers=stored.headers)
        if stored.replayed:
            response["Idempotent-Replayed"] = "true"
        return response

    def _create(self, request: Request) -> idempotency.StoredResponse:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data, terms = split_terms(serializer.validated_data)
        with writing_post_terms(user=request.user, terms=terms):  # written with the post, in its transaction
            post = services.post_create(author=request.user, data=data)
        location = request.build_absolute_uri(f"{request.path.rstrip('/')}/{post.pk}")
        body = post_representation(frozenset(FIELDS)).from_post(post)
        return idempotency.StoredResponse(status.HTTP_201_CREATED, body, {"Location": location, "ETag": post.etag})

    def update(self, request: Request, *args, partial: bool = False, **kwargs) -> Response:
        post = self.get_object()
        self._check_if_none_match(post)
        serializer = self.get_serializer(post, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data, terms = split_terms(serializer.validated_data)
        try:
            with writing_post_terms(user=request.user, terms=terms, post_id=post.pk):
                post = services.post_update(post_id=post.pk, user=request.user, data=data, if_match=self._if_match())
        except services.StalePost:
            raise PreconditionFailed(POST_CHANGED) from None
        return self._item_response(post)

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        post = self.get_object()
        self._check_if_none_match(post)
        try:
            services.post_delete(post_id=post.pk, user=request.user, if_match=self._if_match())
        except services.StalePost:
            raise PreconditionFailed(POST_CHANGED) from None
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _check_if_none_match(self, post: Post) -> None:
        """On a write, ``If-None-Match`` is a precondition too (RFC 9110 §13.1.2): naming the post's current
        version (weakly), or ``*``, it fails with 412 and nothing is written, rather than being ignored."""
        if_none_match = parse_if_none_match(self.request.headers.get("If-None-Match"))
        if if_none_match is not None and if_none_match.matches(post.etag):
            raise PreconditionFailed(POST_IS_CURRENT)

    def _if_match(self) -> IfMatch | None:
        return if_match_precondition(self.request.headers.get("If-Match"))
