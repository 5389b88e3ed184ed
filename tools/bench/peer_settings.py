"""The peers' server: what a DRF user starts from. No middleware at all, DRF's default settings (its
renderers, content negotiation, no throttling) with ``PageNumberPagination`` at 20 per page as DRF's
docs configure it, and a URL conf of the peer endpoints only. Same database, apps and secret key as
the app's server (``tools.bench.settings``)."""

from tools.bench.settings import *  # noqa: F403

MIDDLEWARE: list[str] = []
ROOT_URLCONF = "tools.bench.peer_urls"
REST_FRAMEWORK = {
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
}
