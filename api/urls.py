"""v1 routing: ``/api/v1/...``: the index, each app's own URLs, the schema and docs, health. Every route
answers with and without a trailing slash (``api.routers``); anything unmatched answers 404 in the error format."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from api import views
from api.exceptions import NotFound, error_response
from api.routers import route

app_name = "api"


@csrf_exempt  # a 404 changes nothing; without this an unsafe method gets Django's HTML CSRF page
def not_found(request, unmatched: str = ""):
    return error_response(NotFound(f"No API endpoint at {request.path}."))


# Tried in order, so the busiest routes come first: content, then the caller and tokens.
urlpatterns = [
    path("", include("posts.urls")),
    path("", include("tokens.urls")),
    path("", include("taxonomy.urls")),
    path("", include("media.urls")),
    path("", include("webhooks.urls")),
    path("", include("accounts.urls")),
    path("", views.IndexView.as_view(), name="index"),  # /api/v1 (no slash) is routed in polycms.urls
    route("health", views.HealthView.as_view(), name="health"),
    route("schema", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's init script as a file (docs?script): no inline script for the CSP.
    route("docs", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # Redoc injects <style> elements before it can be given a nonce, and runs its search in a blob: worker.
    route(
        "redoc",
        csp_replace({"style-src": [SELF, UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
            SpectacularRedocView.as_view(url_name="api:schema")
        ),
        name="redoc",
    ),
    re_path(r"^(?P<unmatched>[\s\S]*)$", not_found),  # [\s\S], not ".": a path may hold %0A
]
