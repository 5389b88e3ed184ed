"""``/api/v1/user`` and ``/api/v1/tokens`` (included by ``api.urls``)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from tokens import views

router = SimpleRouter(trailing_slash=False)
router.register("tokens", views.TokenViewSet, basename="token")

urlpatterns = [
    path("user", views.CurrentUserView.as_view(), name="user"),
    *router.urls,
]
