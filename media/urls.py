"""``/api/v1/media`` (included by ``api.urls``)."""

from api.routers import OptionalSlashRouter
from media.views import MediaViewSet

router = OptionalSlashRouter()
router.register("media", MediaViewSet, basename="media")

urlpatterns = router.urls
