"""``/api/v1/posts`` (included by ``api.urls``)."""

from api.routers import OptionalSlashRouter
from posts.views import PostViewSet

router = OptionalSlashRouter()
router.register("posts", PostViewSet, basename="post")

urlpatterns = router.urls
