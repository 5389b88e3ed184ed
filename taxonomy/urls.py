"""``/api/v1/categories`` and ``/api/v1/tags`` (included by ``api.urls``)."""

from api.routers import OptionalSlashRouter
from taxonomy.views import CategoryViewSet, TagViewSet

router = OptionalSlashRouter()
router.register("categories", CategoryViewSet, basename="category")
router.register("tags", TagViewSet, basename="tag")

urlpatterns = router.urls
