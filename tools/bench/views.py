"""The two reference endpoints that exist only in the benchmark: the ceiling and the DRF peer."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tokens.serializers import CurrentUserSerializer


def ceiling(request: HttpRequest) -> JsonResponse:
    """A bare Django JSON view with no database access: the most any endpoint can reach."""
    return JsonResponse({"data": {"status": "ok"}})


class DrfTokenUserView(APIView):
    """``/api/v1/user``'s body behind DRF's own ``TokenAuthentication``: the peer to beat.

    Same serializer and envelope; the only difference is how the caller is authenticated."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        return Response(CurrentUserSerializer(request.user, context={"request": request}).data)
