"""PolyCMS settings, read from the environment (12-factor). See README "Configuration"."""

from __future__ import annotations

import os
from pathlib import Path

from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from polycms.env import database_from_url, env_bool, env_int, env_list, load_local_env, sqlite_database

BASE_DIR = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------------------- local development
# One configuration for the server and every manage.py command: the git-ignored BASE_DIR/.env that
# `make serve` writes once (a random secret key, debug on). Real environment variables win over it;
# production has no such file. POLYCMS_DOTENV names another file, or 0 for none (the test suite).
load_local_env(BASE_DIR / ".env")

# ---------------------------------------------------------------------------- core
DEBUG = env_bool("DJANGO_DEBUG")

# No built-in development key: a server and a command on different keys would reject each other's tokens.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is not set: set it to a long random string. For local development, "
        "`make serve` writes one (with DJANGO_DEBUG=1) to .env."
    )
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")

# The admin's "View site" link: the frontend that shows the content. Unset: the API docs (nothing is at /).
POLYCMS_FRONTEND_URL = os.environ.get("POLYCMS_FRONTEND_URL", "").strip()
if POLYCMS_FRONTEND_URL and not POLYCMS_FRONTEND_URL.startswith(("https://", "http://", "/")):
    raise ImproperlyConfigured(
        f"POLYCMS_FRONTEND_URL must be an http(s):// URL or a path starting with /, got {POLYCMS_FRONTEND_URL!r}."
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "polycms.apps.PolyCMSAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "tokens",
    "posts",
    "taxonomy",
    "media",
    "webhooks",
    "django_tasks",
    "django_tasks_db",
    "django_filters",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "polycms.csp.CachedCSPMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "api.middleware.ApiErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "media.middleware.CurrentRequestMiddleware",
    "polycms.messages.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "polycms.urls"
WSGI_APPLICATION = "polycms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# ---------------------------------------------------------------------------- database
# Unset DATABASE_URL -> the embedded SQLite file; postgres://… -> PostgreSQL through psycopg 3 with
# persistent connections that are health-checked before reuse (so a restarted server is survived).
DATABASE_CONNECT_TIMEOUT = env_int("DATABASE_CONNECT_TIMEOUT", 3)
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": database_from_url(
            os.environ["DATABASE_URL"],
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 600),
            connect_timeout=DATABASE_CONNECT_TIMEOUT,
        )
    }
else:
    DATABASES = {"default": sqlite_database(str(BASE_DIR / "db.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------------------- cache
# REDIS_URL set -> one cache shared by every gunicorn worker (rate limits, sign-in and bearer failure counts).
# Idempotency keys live in the database (posts.IdempotencyRecord), not here.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "polycms.cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("DJANGO_CACHE_KEY_PREFIX", "polycms"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# ---------------------------------------------------------------------------- auth
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["polycms.backends.SingleQueryModelBackend"]

# ---------------------------------------------------------------------------- i18n, static
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles"
# Files served at the site root (/favicon.ico), so a browser looking at the API gets an icon, not a 404.
WHITENOISE_ROOT = BASE_DIR / "polycms" / "public"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# ---------------------------------------------------------------------------- media (README "Media")
# Uploads go to STORAGES["default"]: the filesystem under MEDIA_ROOT (served by `make serve`, by a proxy in
# production), or with MEDIA_STORAGE=s3 an S3-compatible bucket (django-storages), so several hosts share them.
MEDIA_ROOT = os.environ.get("DJANGO_MEDIA_ROOT") or BASE_DIR / "mediafiles"
MEDIA_URL = os.environ.get("DJANGO_MEDIA_URL") or "/media/"
# Django serves MEDIA_ROOT itself (media.serving) when on: the default with DJANGO_DEBUG=1, for `make serve`.
MEDIA_SERVE = env_bool("DJANGO_MEDIA_SERVE", DEBUG)
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "filesystem")
if MEDIA_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "media.storage.MediaS3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,  # MinIO, Ceph, R2…
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,  # a CDN in front of the bucket
            "location": os.environ.get("AWS_LOCATION", "media"),
            # Objects are public (read by their URL); with AWS_QUERYSTRING_AUTH=1 the URLs are signed instead.
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", False),
            "file_overwrite": False,
            "default_acl": os.environ.get("AWS_DEFAULT_ACL") or None,
        },
    }
    # Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or an instance role), read by boto3 itself.
elif MEDIA_STORAGE != "filesystem":
    raise ImproperlyConfigured(f"MEDIA_STORAGE is filesystem or s3, not {MEDIA_STORAGE!r}.")

# ---------------------------------------------------------------------------- HTTP security
# Production (DEBUG off) is HTTPS only, behind a proxy that sets X-Forwarded-Proto.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Reverse proxies in front of gunicorn whose X-Forwarded-For / X-Forwarded-Proto are trusted. With none,
# both headers are ignored: any client can send them (polycms.http.client_ip).
num_proxies = env_int("DJANGO_NUM_PROXIES", 0)
if num_proxies < 0:
    raise ImproperlyConfigured(f"DJANGO_NUM_PROXIES must be 0 or more, got {num_proxies}.")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    if num_proxies:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^api/v1/health/?$"]  # load-balancer probes speak plain HTTP
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# ---------------------------------------------------------------------------- CORS
# Only the listed origins may call the API from a browser, with credentials; never a wildcard.
CORS_ALLOWED_ORIGINS = env_list("DJANGO_CORS_ALLOWED_ORIGINS")
CORS_ALLOW_CREDENTIALS = True
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_HEADERS = [
    "accept",
    "authorization",
    "content-type",
    "x-csrftoken",
    "x-requested-with",
    "if-match",
    "if-none-match",
    "idempotency-key",
]
CORS_EXPOSE_HEADERS = ["ETag", "Location", "Retry-After", "X-CSRFToken", "Idempotent-Replayed"]

# ---------------------------------------------------------------------------- Content-Security-Policy
# On every response (django-csp): scripts and styles from this origin only, never inline script, no framing.
# A template may add a <style nonce="{{ request.csp_nonce }}"> block; the nonce enters the header only on
# the pages that ask for one. Images and frames from https: hosts are authors' media in the admin's post preview.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", "https:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": ["https:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# ---------------------------------------------------------------------------- DRF
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tokens.authentication.PersonalAccessTokenAuthentication",
        "accounts.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "tokens.permissions.HasTokenAbility",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "api.renderers.EnvelopeJSONRenderer",
        "api.renderers.EnvelopeBrowsableAPIRenderer",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.renderers.FirstRendererNegotiation",
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.TokenRateThrottle",
        "api.throttling.UserRateThrottle",
        "api.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token_read": os.environ.get("POLYCMS_RATE_TOKEN_READ", "1200/min"),
        "token_write": os.environ.get("POLYCMS_RATE_TOKEN_WRITE", "120/min"),
        "user_read": os.environ.get("POLYCMS_RATE_USER_READ", "1200/min"),
        "user_write": os.environ.get("POLYCMS_RATE_USER_WRITE", "120/min"),
        "anon": os.environ.get("POLYCMS_RATE_ANON", "300/min"),
    },
    # 0 means REMOTE_ADDR only (DRF's None would trust the whole X-Forwarded-For header).
    "NUM_PROXIES": num_proxies,
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberEnvelopePagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "api.schema.EnvelopeAutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "PolyCMS API",
    "DESCRIPTION": "Headless CMS REST API. Authenticate with `Authorization: Bearer <personal access token>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "posts.models.Post.Status",  # its name from before deliveries had a status too
        "TypeEnum": "posts.models.Post.Type",  # its name from before media had a type too
        "DeliveryStatusEnum": "webhooks.models.Delivery.Status",
        "WebhookEventEnum": "webhooks.events.SUBSCRIBABLE",
    },
    "PREPROCESSING_HOOKS": ["api.schema.canonical_paths"],
    # drf-spectacular's enums hook (its default), then the Editor.js document's components, then the last touches.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "posts.schema.add_editorjs_components",
        "api.schema.postprocess_schema",
    ],
}

# ---------------------------------------------------------------------------- PolyCMS apps
POLYCMS_API = {
    "MAX_BODY_BYTES": env_int("POLYCMS_MAX_BODY_BYTES", 1024 * 1024),
}
# SSRF guard for webhook targets (README "Webhooks"): https:// only and public addresses only, unless relaxed for
# local development (on with DJANGO_DEBUG=1) or on-premise receivers.
POLYCMS_WEBHOOKS = {
    "ALLOW_HTTP": env_bool("POLYCMS_WEBHOOKS_ALLOW_HTTP", DEBUG),
    "ALLOW_PRIVATE_NETWORKS": env_bool("POLYCMS_WEBHOOKS_ALLOW_PRIVATE_NETWORKS", DEBUG),
}

# Categories and tags (README "Categories and tags"): Authors may create tags while writing a post, as in WordPress;
# POLYCMS_AUTHORS_CREATE_TAGS=0 leaves that to Editors.
POLYCMS_TAXONOMY = {
    "AUTHORS_CREATE_TAGS": env_bool("POLYCMS_AUTHORS_CREATE_TAGS", True),
}

# The media library (README "Media"): the largest upload, in bytes (10 MB).
POLYCMS_MEDIA = {
    "MAX_UPLOAD_BYTES": env_int("POLYCMS_MEDIA_MAX_UPLOAD_BYTES", 10 * 1024 * 1024),
}

# ---------------------------------------------------------------------------- jobs
# The one job runner: django-tasks (Django 6.0's django.tasks, backported) with its database backend, so jobs are
# rows written in the same transaction as the change that makes them, and `manage.py worker` runs them (several
# workers, on several hosts, share a PostgreSQL queue through SELECT ... FOR UPDATE SKIP LOCKED).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# ---------------------------------------------------------------------------- logging
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "polycms.logging.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}},
    "root": {"handlers": ["stdout"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Without their own handlers, Django's loggers are printed once each, as JSON, by the root's: its
        # defaults add plain text on stderr in debug (every 4xx twice) and mail to ADMINS (none here).
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
        "django.db.backends": {"level": "WARNING"},
    },
}
