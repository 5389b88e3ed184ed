"""Bench URL conf: the project's URLs plus ``/bench/ceiling`` and ``/bench/drf-user``."""

from django.urls import include, path

from tools.bench import views

urlpatterns = [
    path("bench/ceiling", views.ceiling, name="bench-ceiling"),
    path("bench/drf-user", views.DrfTokenUserView.as_view(), name="bench-drf-user"),
    path("", include("polycms.urls")),
]
