"""``/api/v1/categories`` and ``/api/v1/tags``: everyone reads them; Editors manage them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from api.exceptions import Conflict, NotFound, ValidationError
from api.query import QueryParametersMixin
from taxonomy import selectors, services
from taxonomy.filters import CategoryFilter, TagFilter
from taxonomy.models import Category, Tag, lookup
from taxonomy.permissions import TaxonomyAccess
from taxonomy.policies import CATEGORY, TAG
from taxonomy.schema import CategoryListSchema
from taxonomy.serializers import CategorySerializer, TagSerializer, resolve_category
from taxonomy.settings import taxonomy_settings
from tokens.permissions import HasTokenAbility

TREE = OpenApiParameter(
    "tree",
    OpenApiTypes.BOOL,
    OpenApiParameter.QUERY,
    description="1: the whole tree, nested (each category with its children), not paginated; with parent=, only "
    "that category's subtree. At most POLYCMS_TAXONOMY['TREE_MAX_NODES'] (1000) categories, else 422. Not with "
    "page, per_page, search or ordering: siblings come in their order (order, name).",
)
REPARENT = OpenApiParameter(
    "reparent",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    description="Where the category's children go when it is deleted: the id or slug of their new parent, or 0 for "
    "the top level. Without it, deleting a category that has children is 409 conflict, naming them.",
)


def id_or_slug(what: str) -> OpenApiParameter:
    return OpenApiParameter("id", OpenApiTypes.STR, OpenApiParameter.PATH, description=f"The {what}'s id or slug.")


def _flag(request: Request, name: str) -> bool:
    value = request.query_params.get(name, "0").lower()
    if value not in {"0", "1", "true", "false"}:
        raise ValidationError({name: ["Must be 1 (or true) or 0 (or false)."]})
    return value in {"1", "true"}


def nested(rows: list[dict[str, Any]], root_id: int | None) -> list[dict[str, Any]]:
    """Serialized categories, parents before children, nested: the children of ``root_id`` (None: the top
    level), each with ``children``."""
    children: dict[int | None, list[dict[str, Any]]] = {}
    for row in rows:
        row["children"] = children.setdefault(row["id"], [])
        children.setdefault(row["parent"], []).append(row)
    return children.get(root_id, [])


class TaxonomyViewSet(QueryParametersMixin, viewsets.ModelViewSet):
    """What categories and tags share: lookups by id or slug, writes through ``taxonomy.services``, responses
    read back through ``taxonomy.selectors`` (with ``post_count`` for the caller)."""

    permission_classes = [HasTokenAbility, TaxonomyAccess]
    filter_backends = [DjangoFilterBackend]
    token_resource = "taxonomy"
    comma_separated_parameters = ("ordering",)
    lookup_value_regex = r"[^/]+"
    taxonomy_model: str

    def get_object(self):
        found = lookup(self.kwargs["pk"])
        instance = self.get_queryset().filter(**found).first() if found is not None else None
        if instance is None:
            raise NotFound(f"No {self.taxonomy_model} with this id or slug.")
        self.check_object_permissions(self.request, instance)
        return instance

    def read_back(self, pk: int):
        """The instance as responses show it, after a write."""
        return self.decorate([self.get_queryset().get(pk=pk)])[0]

    def decorate(self, instances: list) -> list:
        """What a page of instances needs besides its rows (a category's path)."""
        return instances

    def list(self, request: Request, *args, **kwargs) -> Response:
        ordering = request.query_params.get("ordering", "").replace("-", "").split(",")
        if "post_count" in ordering and self.paginator.uses_cursor(request):
            message = "A cursor follows fields of the category or tag, not post_count: page with page= instead."
            raise ValidationError({"ordering": [message]})
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(self.decorate(page), many=True).data)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return Response(self.get_serializer(self.decorate([self.get_object()])[0]).data)

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = self.service_create(user=request.user, data=serializer.validated_data)
        location = request.build_absolute_uri(f"{request.path.rstrip('/')}/{created.pk}")
        body = self.get_serializer(self.read_back(created.pk)).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})

    def update(self, request: Request, *args, partial: bool = False, **kwargs) -> Response:
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.service_update(instance.pk, user=request.user, data=serializer.validated_data)
        return Response(self.get_serializer(self.read_back(instance.pk)).data)

    def service_create(self, *, user, data: dict[str, Any]):
        raise NotImplementedError

    def service_update(self, pk: int, *, user, data: dict[str, Any]):
        raise NotImplementedError


@extend_schema_view(
    list=extend_schema(parameters=[TREE]),
    retrieve=extend_schema(parameters=[id_or_slug("category")]),
    update=extend_schema(parameters=[id_or_slug("category")]),
    partial_update=extend_schema(parameters=[id_or_slug("category")]),
    destroy=extend_schema(
        parameters=[id_or_slug("category"), REPARENT],
        responses={
            204: None,
            409: OpenApiResponse(description="The category has children; details.children names them."),
        },
    ),
)
class CategoryViewSet(TaxonomyViewSet):
    """Categories: a tree. ``path`` lists a category's ancestors' slugs, ``depth`` counts them, ``post_count``
    counts its posts the caller may see. A move that would make a cycle, or a tree deeper than
    ``POLYCMS_TAXONOMY['MAX_DEPTH']``, is 422; deleting a category with children is 409 unless ``reparent``
    says where they go; deleting one never deletes a post."""

    serializer_class = CategorySerializer
    schema = CategoryListSchema()
    filterset_class = CategoryFilter
    taxonomy_model = CATEGORY
    query_parameters = {"list": ["tree"], "destroy": ["reparent"]}

    def get_queryset(self) -> QuerySet[Category]:
        return selectors.categories_for(self.request.user)

    def decorate(self, instances: list) -> list:
        return list(selectors.with_paths(instances))

    def list(self, request: Request, *args, **kwargs) -> Response:
        if not _flag(request, "tree"):
            return super().list(request, *args, **kwargs)
        refused = [
            name for name in ("page", "per_page", "cursor", "search", "ordering") if name in request.query_params
        ]
        if refused:
            message = "Not with tree=1: the tree comes whole, not paginated, siblings in their order (order, name)."
            raise ValidationError({name: [message] for name in refused})
        root = self._category_parameter("parent")
        limit = taxonomy_settings.TREE_MAX_NODES
        categories = selectors.subtree(request.user, root, limit)
        if categories is None:
            raise ValidationError(
                {
                    "tree": [
                        f"More than {limit} categories (POLYCMS_TAXONOMY['TREE_MAX_NODES']): list them page by page "
                        "without tree, or one subtree at a time with parent=<id or slug>."
                    ]
                }
            )
        rows = self.get_serializer(categories, many=True).data
        return Response(nested(rows, root.pk if root is not None else None))

    def _category_parameter(self, name: str) -> Category | None:
        """The category query parameter ``name`` names (None for 0 or no parameter); 422 for an unknown one."""
        value = self.request.query_params.get(name)
        if value in (None, "0"):
            return None
        try:
            return resolve_category(value)
        except serializers.ValidationError as error:
            raise ValidationError({name: error.detail}) from None

    def service_create(self, *, user, data: dict[str, Any]) -> Category:
        return services.category_create(user=user, data=data)

    def service_update(self, pk: int, *, user, data: dict[str, Any]) -> Category:
        return services.category_update(category_id=pk, user=user, data=data)

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        category = self.get_object()
        reparent = self._category_parameter("reparent") if "reparent" in request.query_params else services.UNSET
        try:
            services.category_delete(category_id=category.pk, user=request.user, reparent=reparent)
        except services.HasChildren as refused:
            shown = refused.children[: services.CHILDREN_SHOWN]
            children = [{"id": child.pk, "name": child.name, "slug": child.slug} for child in shown]
            raise Conflict(str(refused), details={"children": children}) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    retrieve=extend_schema(parameters=[id_or_slug("tag")]),
    update=extend_schema(parameters=[id_or_slug("tag")]),
    partial_update=extend_schema(parameters=[id_or_slug("tag")]),
    destroy=extend_schema(parameters=[id_or_slug("tag")]),
)
class TagViewSet(TaxonomyViewSet):
    """Tags: names unique whatever their case. ``post_count`` counts the posts the caller may see."""

    serializer_class = TagSerializer
    filterset_class = TagFilter
    taxonomy_model = TAG

    def get_queryset(self) -> QuerySet[Tag]:
        return selectors.tags_for(self.request.user)

    def service_create(self, *, user, data: dict[str, Any]) -> Tag:
        return services.tag_create(user=user, data=data)

    def service_update(self, pk: int, *, user, data: dict[str, Any]) -> Tag:
        return services.tag_update(tag_id=pk, user=user, data=data)

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        services.tag_delete(tag_id=self.get_object().pk, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
