"""WSGI entry point (gunicorn polycms.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

from polycms.wsgi_body import ChunkedBodyMiddleware

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "polycms.settings")

# Django reads a body only as long as Content-Length says: chunked bodies are read first (polycms.wsgi_body).
application = ChunkedBodyMiddleware(get_wsgi_application())
