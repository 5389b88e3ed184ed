"""Root URL conf: the v1 API, its docs, and the Django admin."""

from django.contrib import admin
from django.urls import include, path

from api.views import IndexView

urlpatterns = [
    path("api/v1/", include("api.urls")),
    path("api/v1", IndexView.as_view()),  # the index at /api/v1 too, without a redirect
    path("admin/", admin.site.urls),
]
