"""``/api/v1/user`` and ``/api/v1/tokens`` (included by ``api.urls``)."""

from api.routers import OptionalSlashRouter, route
from tokens import views

router = OptionalSlashRouter()
router.register("tokens", views.TokenViewSet, basename="token")

urlpatterns = [
    route("user", views.CurrentUserView.as_view(), name="user"),
    *router.urls,
]
