"""Root URL conf: the v1 API, its docs, the Django admin, and uploaded media when Django serves them."""

import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from api.views import IndexView
from media import serving

urlpatterns = [
    path("api/v1/", include("api.urls")),
    path("api/v1", IndexView.as_view()),  # the index at /api/v1 too, without a redirect
    path("admin/", admin.site.urls),
]
if settings.MEDIA_SERVE and settings.MEDIA_URL.startswith("/"):  # uploads, from MEDIA_ROOT (README "Media")
    urlpatterns.append(
        re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.+)$", serving.serve, name="media-file")
    )
