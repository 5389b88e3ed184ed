"""``/api/v1/hooks`` (included by ``api.urls``)."""

from api.routers import OptionalSlashRouter
from webhooks.views import WebhookViewSet

router = OptionalSlashRouter()
router.register("hooks", WebhookViewSet, basename="hook")

urlpatterns = router.urls
