"""The endpoints that exist only in the benchmark: the ceiling and the peers to beat.

The peers are written the way a DRF user would write them, with DRF's and knox's own classes. The
strict ones (``peer_urls``) run on a server with no middleware and DRF's default settings; the richer
``/user`` peer runs on the app's server, with PolyCMS's settings, to give ``/api/v1/user``'s own body."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import HttpRequest, JsonResponse
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import generics, serializers
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from posts.models import Post
from posts.serializers import FIELDS
from tokens.serializers import CurrentUserSerializer


def ceiling(request: HttpRequest) -> JsonResponse:
    """A bare Django JSON view with no database access: the most any endpoint can reach."""
    return JsonResponse({"data": {"status": "ok"}})


class StrictDrfUserView(APIView):
    """The strict peer: DRF's ``TokenAuthentication`` (one query) and the caller's ``{id, username, email}``."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        user = request.user
        return Response({"id": user.pk, "username": user.username, "email": user.email})


class KnoxUserView(StrictDrfUserView):
    """The same view behind django-rest-knox's ``TokenAuthentication`` (hashed tokens, like ours)."""

    authentication_classes = [KnoxTokenAuthentication]


class RichDrfUserView(APIView):
    """``/api/v1/user``'s body behind DRF's own ``TokenAuthentication``: the same serializer and envelope
    as ours, so three queries (token and user, roles, permissions)."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        return Response(CurrentUserSerializer(request.user, context={"request": request}).data)


class PeerAuthorSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "name"]

    def get_name(self, user) -> str:
        return user.get_full_name() or user.username


class PeerTermSerializer(serializers.Serializer):
    """A category or tag as ``/api/v1/posts`` shows it: ``{id, name, slug}``."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()


class PeerPostSerializer(serializers.ModelSerializer):
    author = PeerAuthorSerializer(read_only=True)
    categories = PeerTermSerializer(many=True, read_only=True)
    tags = PeerTermSerializer(many=True, read_only=True)

    class Meta:
        model = Post
        fields = list(FIELDS)  # /api/v1/posts's fields, whatever they are


class DrfPostListView(generics.ListAPIView):
    """The live posts, newest first, every field of ``/api/v1/posts?fields=…``: ``ListAPIView`` and a
    ``ModelSerializer`` with DRF's default pagination (page count and page) and renderer; the author joined and
    the categories and tags prefetched, as DRF's docs advise (a query per relation, not per post). The featured
    image is its id (ModelSerializer's default), less work than our media object."""

    queryset = (
        Post.objects.live()
        .select_related("author")
        .prefetch_related("categories", "tags")
        .order_by("-created_at", "-id")
    )
    serializer_class = PeerPostSerializer
