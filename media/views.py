"""``/api/v1/media``: the media library. Upload (multipart or a raw body), list, read, edit alt text and caption,
delete (409 while a post uses the item)."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from api.exceptions import Conflict, PermissionDenied, ValidationError
from api.query import QueryParametersMixin
from media import selectors, services
from media.files import RefusedFile, accepted_types
from media.filters import MediaFilter
from media.models import Media
from media.permissions import MediaAccess
from media.serializers import MediaSerializer, MediaUploadSerializer
from media.settings import media_settings
from media.uploads import MULTIPART_OVERHEAD_BYTES, LimitedUploadHandler, RawUploadParser, too_large
from tokens.permissions import HasTokenAbility

UPLOAD_DESCRIPTION = (
    "Upload a file as multipart/form-data (file, and optionally alt_text and caption), or as the raw body with "
    'Content-Type: image/… and Content-Disposition: attachment; filename="…". The type is read from the content: '
    "JPEG, PNG, GIF, WebP, AVIF (where supported) and PDF are accepted, anything else (SVG, HTML…) is 422. Images are "
    "re-encoded without their metadata (EXIF, GPS) and turned upright; their renditions are made in the background "
    "(renditions_pending). Over POLYCMS_MEDIA['MAX_UPLOAD_BYTES'] (10 MB): 413, before the rest of the body is read."
)


@extend_schema_view(
    create=extend_schema(
        description=UPLOAD_DESCRIPTION,
        request={
            "multipart/form-data": MediaUploadSerializer,
            **{mime: {"type": "string", "format": "binary"} for mime in accepted_types()},
        },
        responses={201: MediaSerializer, 413: OpenApiResponse(description="The file is over the upload limit.")},
    ),
    destroy=extend_schema(
        responses={
            204: None,
            409: OpenApiResponse(description="A post uses the item (featured or in its content); details.posts."),
        }
    ),
)
class MediaViewSet(
    QueryParametersMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The media library. Everyone who may upload (all three roles) reads it; uploaders edit and delete their own
    items, Editors everyone's. Written through ``media.services``."""

    serializer_class = MediaSerializer
    permission_classes = [HasTokenAbility, MediaAccess]
    filter_backends = [DjangoFilterBackend]
    filterset_class = MediaFilter
    token_resource = "media"
    comma_separated_parameters = ("ordering",)
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    @staticmethod
    def max_body_bytes(method: str) -> int:
        """The largest body ``api.middleware`` lets through unread: an upload's file and its form's overhead."""
        return media_settings.MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES if method == "POST" else 0

    def initial(self, request: Request, *args, **kwargs) -> None:
        if request.method == "POST":  # before anything reads the body (a session's CSRF check may)
            self._check_length(request)
        super().initial(request, *args, **kwargs)

    @staticmethod
    def _check_length(request: Request) -> None:
        """413 for a body declared longer than the file limit (plus a form's overhead) before any of it is read; a
        body without a length (chunked) is cut off while it streams (``LimitedUploadHandler``)."""
        length = request.META.get("CONTENT_LENGTH") or ""
        limit = media_settings.MAX_UPLOAD_BYTES
        overhead = MULTIPART_OVERHEAD_BYTES if request.content_type.startswith("multipart/") else 0
        if length.isdigit() and int(length) > limit + overhead:
            raise too_large(limit)

    def initialize_request(self, request, *args, **kwargs):
        if request.method == "POST":
            request.upload_handlers = [LimitedUploadHandler(request, limit=media_settings.MAX_UPLOAD_BYTES)]
        return super().initialize_request(request, *args, **kwargs)

    def get_parsers(self):
        if self.request is not None and self.request.method == "POST":
            return [MultiPartParser(), RawUploadParser()]
        return super().get_parsers()

    def get_queryset(self) -> QuerySet[Media]:
        return selectors.media_for(self.request.user)

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = MediaUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        try:
            media = services.media_upload(
                user=request.user,
                stream=upload,
                name=upload.name or "upload",
                alt_text=serializer.validated_data["alt_text"],
                caption=serializer.validated_data["caption"],
            )
        except RefusedFile as refused:
            raise ValidationError({"file": [str(refused)]}) from None
        finally:
            upload.close()
        location = request.build_absolute_uri(f"{request.path.rstrip('/')}/{media.pk}")
        body = self.get_serializer(selectors.media_for(request.user).get(pk=media.pk)).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})

    def update(self, request: Request, *args, **kwargs) -> Response:
        media = self.get_object()
        serializer = self.get_serializer(media, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            services.media_update(media_id=media.pk, user=request.user, data=serializer.validated_data)
        except PermissionError as refused:
            raise PermissionDenied(str(refused)) from None
        return Response(self.get_serializer(self.get_queryset().get(pk=media.pk)).data)

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        media = self.get_object()
        try:
            services.media_delete(media_id=media.pk, user=request.user)
        except services.MediaInUse as refused:
            raise Conflict(str(refused), details={"posts": refused.posts, "total": refused.total}) from None
        except PermissionError as refused:
            raise PermissionDenied(str(refused)) from None
        return Response(status=status.HTTP_204_NO_CONTENT)
