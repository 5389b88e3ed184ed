"""Benchmark settings: production settings (DEBUG off) plus the peers' token apps (DRF's authtoken,
django-rest-knox) and the bench URL conf. The runner supplies DJANGO_SECRET_KEY and DATABASE_URL (and
REDIS_URL, DJANGO_CACHE_KEY_PREFIX when the cache is Redis) through the environment."""

import warnings

from polycms.settings import *  # noqa: F403
from polycms.settings import INSTALLED_APPS, POLYCMS_WEBHOOKS, REST_FRAMEWORK

INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework.authtoken", "knox"]
ROOT_URLCONF = "tools.bench.urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# wrk speaks plain HTTP to gunicorn directly, with no TLS-terminating proxy in front.
SECURE_SSL_REDIRECT = False

# Throttles keep running (their cost is part of a request) but are set so high that eight busy
# connections never trip them: a 429 would measure the limiter, not the endpoint.
if REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES"):
    REST_FRAMEWORK = {
        **REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "1000000/s"),
    }

# WhiteNoise warns when collectstatic has not run; the benchmark serves no static files.
warnings.filterwarnings("ignore", "No directory at", UserWarning)

# The delivery measurement's receiver listens on 127.0.0.1 over plain HTTP (tools.bench.deliveries).
POLYCMS_WEBHOOKS = {**POLYCMS_WEBHOOKS, "ALLOW_HTTP": True, "ALLOW_PRIVATE_NETWORKS": True}
