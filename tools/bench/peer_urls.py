"""Bench URL conf of the peers' server (``tools.bench.peer_settings``): the ceiling and the strict peers."""

from django.urls import path

from tools.bench import views

urlpatterns = [
    path("bench/ceiling", views.ceiling, name="bench-ceiling"),
    path("bench/drf-user", views.StrictDrfUserView.as_view(), name="bench-drf-user-strict"),
    path("bench/knox-user", views.KnoxUserView.as_view(), name="bench-knox-user"),
    path("bench/drf-posts", views.DrfPostListView.as_view(), name="bench-drf-posts"),
]
