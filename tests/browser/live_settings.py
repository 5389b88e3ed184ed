"""Settings of the gunicorn the browser tests start: the project's own settings, with the fixture's
SQLite file and static root (the project's settings take neither from the environment)."""

import os

from polycms.settings import *  # noqa: F403
from polycms.settings import DATABASES

if os.environ.get("POLYCMS_LIVE_SQLITE"):
    DATABASES["default"]["NAME"] = os.environ["POLYCMS_LIVE_SQLITE"]
STATIC_ROOT = os.environ["POLYCMS_LIVE_STATIC_ROOT"]
