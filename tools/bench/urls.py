"""Bench URL conf of the app's server: the project's URLs plus ``/bench/ceiling`` and the richer
``/bench/drf-user`` peer."""

from django.urls import include, path

from tools.bench import views

urlpatterns = [
    path("bench/ceiling", views.ceiling, name="bench-ceiling"),
    path("bench/drf-user", views.RichDrfUserView.as_view(), name="bench-drf-user"),
    path("", include("polycms.urls")),
]
