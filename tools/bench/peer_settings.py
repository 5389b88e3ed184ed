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

# Django's own PostgreSQL backend with its defaults: persistent connections (kept, or the peer would
# connect per request) but no health check (Django's default), so the peers make no round trip ours
# would not; ours checks a reused connection without one (polycms.db.postgresql).
DATABASES = {
    alias: {**config, "ENGINE": "django.db.backends.postgresql", "CONN_HEALTH_CHECKS": False}
    for alias, config in DATABASES.items()  # noqa: F405
}
