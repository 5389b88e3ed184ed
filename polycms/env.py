"""Typed readers for the process environment (12-factor settings)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

DOTENV_VARIABLE = "POLYCMS_DOTENV"


def load_local_env(default: Path) -> Path | None:
    """Add the variables of the local-development file to ``os.environ``, never replacing one already set:
    the real environment wins. The file is ``$POLYCMS_DOTENV`` (``0``: none; a path that names no file is
    an error), else ``default`` when it exists. Values are taken literally (a secret key may contain ``$``).
    Returns the file read, or None."""
    value = os.environ.get(DOTENV_VARIABLE, "").strip()
    if value == "0":
        return None
    path = Path(value) if value else default
    if not path.is_file():
        if value:
            raise ImproperlyConfigured(f"{DOTENV_VARIABLE} names {value!r}, which is not a file.")
        return None
    load_dotenv(path, override=False, interpolate=False)
    return path


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}.") from None


SQLITE_OPTIONS = {"timeout": 20, "transaction_mode": "IMMEDIATE"}


def sqlite_database(path: str) -> dict:
    """The embedded database. IMMEDIATE transactions make concurrent writers queue instead of failing."""
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": path, "OPTIONS": dict(SQLITE_OPTIONS)}


def database_from_url(url: str, *, conn_max_age: int, connect_timeout: int) -> dict:
    """Translate ``postgres://user:pass@host:port/name?opt=val`` (or ``sqlite:////abs/path.db``) into a
    Django DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return sqlite_database(unquote(parts.path[1:]))  # sqlite:///relative.db, sqlite:////absolute.db
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL scheme {parts.scheme!r} is not supported; use postgres://…, sqlite:////path "
            "or leave it unset for the embedded SQLite file."
        )
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    options.setdefault("connect_timeout", connect_timeout)
    return {
        "ENGINE": "polycms.db.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "postgres",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": conn_max_age,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": options,
        "TEST": {"NAME": f"test_{unquote(parts.path.lstrip('/')) or 'postgres'}"},
    }
