"""``/api/v1/posts``: the headless content API."""

from __future__ import annotations

from collections.abc import Collection

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from api.conditional import IfMatch, if_match_precondition
from api.exceptions import NotFound, PreconditionFailed, ValidationError
from api.query import QueryParametersMixin
from posts import idempotency, services
from posts.filters import PostFilter
from posts.models import Post, parse_id, validate_post_slug
from posts.permissions import PostAccess
from posts.serializers import CONTENT_FIELDS, FIELDS, LIST_FIELDS, PostSerializer, post_columns
from posts.settings import posts_settings
from tokens.permissions import HasTokenAbility

POST_CHANGED = "The post has changed since you fetched it: If-Match does not match its ETag. Fetch it again."


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
        description=f"Fields to return, comma-separated (e.g. id,title,slug); {description} An unknown field is 422.",
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
ID_OR_SLUG = OpenApiParameter("id", OpenApiTypes.STR, OpenApiParameter.PATH, description="Post id or slug.")


def _forget_renderer_context(response: Response) -> None:
    response.renderer_context = {}


@extend_schema_view(
    list=extend_schema(parameters=[LIST_FIELDS_PARAMETER]),
    create=extend_schema(parameters=[IDEMPOTENCY_KEY]),
    retrieve=extend_schema(parameters=[ID_OR_SLUG, ITEM_FIELDS_PARAMETER]),
    update=extend_schema(parameters=[ID_OR_SLUG, IF_MATCH]),
    partial_update=extend_schema(parameters=[ID_OR_SLUG, IF_MATCH]),
    destroy=extend_schema(parameters=[ID_OR_SLUG, IF_MATCH]),
)
class PostViewSet(QueryParametersMixin, viewsets.ModelViewSet):
    """Posts and pages. Anonymous callers see published posts; ``posts.view_post`` holders see all;
    everyone sees their own. Writes follow the Editor / Author / Contributor role rules."""

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

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        # DRF leaves the response in reference cycles (view.response; renderer_context naming the view and the
        # response itself), so it outlives the request until the cyclic GC runs, which counts objects, not bytes:
        # pages of content tens of megabytes each piled up in a worker. Without the cycles it goes once sent.
        del self.response
        response.add_post_render_callback(_forget_renderer_context)
        return response

    def get_queryset(self):
        queryset = Post.objects.visible_to(self.request.user).only(*post_columns(self.response_fields))
        return queryset.select_related("author") if "author" in self.response_fields else queryset

    def get_object(self) -> Post:
        lookup = post_lookup(self.kwargs["pk"])
        try:
            if lookup is None:
                raise Post.DoesNotExist
            post = self.get_queryset().get(**lookup)
        except Post.DoesNotExist:
            raise NotFound("No post with this id or slug.") from None
        self.check_object_permissions(self.request, post)
        return post

    def _item_response(self, post: Post, status_code: int = status.HTTP_200_OK) -> Response:
        response = Response(self.get_serializer(post, fields=self.response_fields).data, status=status_code)
        response["ETag"] = post.etag
        return response

    def list(self, request: Request, *args, **kwargs) -> Response:
        # The content fields only when asked for, and then in short pages: they are what can make a post large.
        self.response_fields = requested_fields(request, LIST_FIELDS)
        if self.response_fields & CONTENT_FIELDS:
            self.paginator.limit_page_size(
                posts_settings.MAX_CONTENT_PAGE_SIZE, "when fields include content_raw or content_html"
            )
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True, fields=self.response_fields).data)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        self.response_fields = requested_fields(request, FIELDS)
        return self._item_response(self.get_object())

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
        post = services.post_create(author=request.user, data=serializer.validated_data)
        location = request.build_absolute_uri(f"{request.path.rstrip('/')}/{post.pk}")
        body = self.get_serializer(post).data
        return idempotency.StoredResponse(status.HTTP_201_CREATED, body, {"Location": location, "ETag": post.etag})

    def update(self, request: Request, *args, partial: bool = False, **kwargs) -> Response:
        post = self.get_object()
        serializer = self.get_serializer(post, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        try:
            post = services.post_update(
                post_id=post.pk, user=request.user, data=serializer.validated_data, if_match=self._if_match()
            )
        except services.StalePost:
            raise PreconditionFailed(POST_CHANGED) from None
        return self._item_response(post)

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        post = self.get_object()
        try:
            services.post_delete(post_id=post.pk, user=request.user, if_match=self._if_match())
        except services.StalePost:
            raise PreconditionFailed(POST_CHANGED) from None
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _if_match(self) -> IfMatch | None:
        return if_match_precondition(self.request.headers.get("If-Match"))
