"""``/api/v1/posts`` (included by ``api.urls``)."""

from rest_framework.routers import SimpleRouter

from posts.views import PostViewSet

router = SimpleRouter(trailing_slash=False)
router.register("posts", PostViewSet, basename="post")

urlpatterns = router.urls
