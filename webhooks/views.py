"""``/api/v1/hooks``: webhooks as REST hooks (Zapier's subscribe / unsubscribe convention), their deliveries,
redelivery and ping."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from api.caching import NoStoreMixin
from api.exceptions import Conflict, NotFound
from api.query import QueryParametersMixin
from polycms.http import client_ip
from posts.models import parse_id
from tokens.permissions import HasTokenAbility, is_token_request
from webhooks import selectors, services
from webhooks.models import Delivery, Webhook
from webhooks.permissions import ManagesOwnWebhooks, TokenMayReadPosts
from webhooks.schema import CALLBACKS
from webhooks.serializers import DeliverySerializer, WebhookCreatedSerializer, WebhookSerializer

# Routes under one webhook are named "…-detail", as item routes are: the API index lists collections only.
DELIVERY_ID = OpenApiParameter("delivery_id", int, OpenApiParameter.PATH, description="The delivery's id.")


class WebhookViewSet(
    QueryParametersMixin,
    NoStoreMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's own webhooks. Bearer tokens need ``webhooks:read`` (GET) or ``webhooks:write`` (the rest);
    creating one with a token also needs posts:read, and revoking (or the expiry of) that token disables it.

    ``POST`` subscribes (``{"target_url", "event"}`` or ``{"target_url", "events": [...]}``) and answers the
    signing secret once; ``DELETE`` unsubscribes."""

    queryset = Webhook.objects.none()  # for the schema; get_queryset narrows to the caller's
    serializer_class = WebhookSerializer
    permission_classes = [IsAuthenticated, HasTokenAbility, ManagesOwnWebhooks, TokenMayReadPosts]
    token_resource = "webhooks"
    # Any segment: what is not an id is a 404 in the error format (a narrower pattern would leave odd paths, such as
    # one with a newline, to Django's HTML 404).
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return Webhook.objects.filter(owner=self.request.user)

    def get_object(self) -> Webhook:
        pk = parse_id(self.kwargs["pk"])
        webhook = None if pk is None else self.get_queryset().filter(pk=pk).first()
        if webhook is None:
            raise NotFound("No webhook with this id.")
        self.check_object_permissions(self.request, webhook)
        return webhook

    def get_serializer_class(self):
        if self.action == "create":
            return WebhookCreatedSerializer
        if self.action in {"deliveries", "redeliver", "ping"}:
            return DeliverySerializer
        return WebhookSerializer

    def get_query_parameters(self, request: Request) -> set[str]:
        accepted = super().get_query_parameters(request)
        if self.action == "deliveries":
            accepted.update(self.paginator.query_parameters)
        return accepted

    @extend_schema(request=WebhookSerializer, responses={201: WebhookCreatedSerializer}, callbacks=CALLBACKS)
    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        webhook, secret = services.webhook_create(
            owner=request.user,
            created_by_token=request.auth if is_token_request(request) else None,
            ip=client_ip(request),
            **serializer.validated_data,
        )
        webhook.secret = secret
        response = Response(self.get_serializer(webhook).data, status=status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(f"{request.path.rstrip('/')}/{webhook.pk}")
        return response

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args, **kwargs) -> Response:
        services.webhook_delete(webhook=self.get_object(), by=request.user, ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=DeliverySerializer(many=True))
    @action(detail=True, methods=["get"], url_name="deliveries-detail")
    def deliveries(self, request: Request, pk: str | None = None) -> Response:
        """The webhook's deliveries, newest first, each with its attempts (status, duration, response excerpt)."""
        page = self.paginate_queryset(selectors.webhook_deliveries(webhook=self.get_object()))
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)

    @extend_schema(request=None, responses={202: DeliverySerializer}, parameters=[DELIVERY_ID])
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<delivery_id>[^/]+)/redeliver",
        url_name="redeliver-detail",
    )
    def redeliver(self, request: Request, pk: str | None = None, delivery_id: str | None = None) -> Response:
        """Send the delivery again: the same webhook-id and body, a fresh retry schedule. 409 when the webhook is
        disabled."""
        webhook = self.get_object()
        pk = parse_id(delivery_id)
        delivery = None if pk is None else Delivery.objects.filter(webhook=webhook, pk=pk).first()
        if delivery is None:
            raise NotFound("No delivery with this id for this webhook.")
        try:
            delivery = services.delivery_redeliver(delivery=delivery, by=request.user)
        except services.WebhookDisabled as exc:
            raise Conflict(str(exc)) from None
        delivery = selectors.webhook_deliveries(webhook=webhook).get(pk=delivery.pk)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: DeliverySerializer})
    @action(detail=True, methods=["post"], url_name="ping-detail")
    def ping(self, request: Request, pk: str | None = None) -> Response:
        """Send a ``ping`` event to this webhook now (whatever it subscribes to), to test the endpoint."""
        webhook = self.get_object()
        delivery = services.webhook_ping(webhook=webhook, by=request.user)
        delivery = selectors.webhook_deliveries(webhook=webhook).get(pk=delivery.pk)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
