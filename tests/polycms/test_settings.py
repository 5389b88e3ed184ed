"""Settings read from the environment, checked in fresh interpreters (settings load once per process)."""

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest

from polycms.env import database_from_url, load_local_env

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_SECRET_KEY": "x" * 30 + "production-grade-secret-key-with-enough-entropy-0123456789",
    "DJANGO_ALLOWED_HOSTS": "cms.example.com",
    "DJANGO_DEBUG": "0",
}
DEVELOPMENT = {"DJANGO_SECRET_KEY": "a-local-development-secret-key-0123456789", "DJANGO_DEBUG": "1"}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=60
    )


def test_refuses_to_start_without_a_secret_key_in_production():
    result = manage("check", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr.strip().splitlines()[-1]


def test_debug_alone_does_not_supply_a_secret_key():
    # A built-in development key let the server and a command run on different keys (tokens refused).
    result = manage("check", DJANGO_DEBUG="1")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr.strip().splitlines()[-1]
    assert "`make serve` writes one" in result.stderr


SHOW_CORE = "from django.conf import settings as s; print(s.DEBUG, s.SECRET_KEY)"


def write_env_file(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_local_env_file_configures_every_command(tmp_path):
    env_file = write_env_file(tmp_path / ".env", "# local\nDJANGO_SECRET_KEY=key-$HOME-literal\nDJANGO_DEBUG=1\n")
    result = manage("shell", "-v", "0", "-c", SHOW_CORE, POLYCMS_DOTENV=str(env_file))
    assert result.stdout.split() == ["True", "key-$HOME-literal"], result.stderr


def test_real_environment_wins_over_the_local_env_file(tmp_path):
    env_file = write_env_file(tmp_path / ".env", "DJANGO_SECRET_KEY=from-the-file\nDJANGO_DEBUG=1\n")
    result = manage(
        "shell", "-v", "0", "-c", SHOW_CORE, POLYCMS_DOTENV=str(env_file), DJANGO_DEBUG="0", DJANGO_SECRET_KEY="real"
    )
    assert result.stdout.split() == ["False", "real"], result.stderr


def test_local_env_file_can_be_switched_off(tmp_path):
    # The suite runs with POLYCMS_DOTENV=0 (pyproject.toml), so a developer's .env never changes it.
    result = manage("check", POLYCMS_DOTENV="0")
    assert result.returncode != 0 and "DJANGO_SECRET_KEY is not set" in result.stderr


def test_a_named_local_env_file_that_is_missing_is_refused(tmp_path):
    result = manage("check", POLYCMS_DOTENV=str(tmp_path / "missing.env"))
    assert result.returncode != 0 and "POLYCMS_DOTENV names" in result.stderr


def test_local_env_file_defaults_to_the_project_directory(tmp_path, monkeypatch):
    default = write_env_file(tmp_path / ".env", "POLYCMS_TEST_FROM_DOTENV=yes\n")
    monkeypatch.delenv("POLYCMS_DOTENV")
    with mock.patch.dict(os.environ):
        assert load_local_env(default) == default
        assert os.environ["POLYCMS_TEST_FROM_DOTENV"] == "yes"
        assert load_local_env(tmp_path / "absent") is None  # production: no file, nothing read


def test_check_deploy_is_clean_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_environment_is_https_only():
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, "
        "s.SECURE_PROXY_SSL_HEADER)"
    )
    result = manage("shell", "-v", "0", "-c", code, **PRODUCTION, DJANGO_NUM_PROXIES="1")
    assert result.stdout.split() == ["True", "True", "True", "True", "('HTTP_X_FORWARDED_PROTO',", "'https')"]


@pytest.mark.parametrize(
    ("num_proxies", "expected"), [(None, "0 None"), ("0", "0 None"), ("2", "2 ('HTTP_X_FORWARDED_PROTO', 'https')")]
)
def test_forwarded_headers_are_trusted_only_behind_a_proxy(num_proxies, expected):
    code = "from django.conf import settings as s; print(s.REST_FRAMEWORK['NUM_PROXIES'], s.SECURE_PROXY_SSL_HEADER)"
    env = {**PRODUCTION, **({"DJANGO_NUM_PROXIES": num_proxies} if num_proxies is not None else {})}
    assert manage("shell", "-v", "0", "-c", code, **env).stdout.strip() == expected


def test_negative_proxy_count_is_refused():
    result = manage("check", **PRODUCTION, DJANGO_NUM_PROXIES="-1")
    assert result.returncode != 0 and "DJANGO_NUM_PROXIES must be 0 or more" in result.stderr


def test_environment_selects_database_and_cache():
    code = (
        "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'])"
    )
    embedded = manage("shell", "-v", "0", "-c", code, **DEVELOPMENT).stdout.split()
    assert embedded == ["django.db.backends.sqlite3", "django.core.cache.backends.locmem.LocMemCache"]
    configured = manage(
        "shell",
        "-v",
        "0",
        "-c",
        code,
        **DEVELOPMENT,
        DATABASE_URL="postgres://u:p@db.example:5433/cms",
        REDIS_URL="redis://127.0.0.1:6379/3",
    ).stdout.split()
    assert configured == ["polycms.db.postgresql", "polycms.cache.RedisCache"]


def test_database_url_is_parsed_with_persistent_health_checked_connections():
    config = database_from_url(
        "postgres://user:p%40ss@db.example:5433/cms?sslmode=require", conn_max_age=600, connect_timeout=3
    )
    assert (config["USER"], config["PASSWORD"], config["HOST"], config["PORT"], config["NAME"]) == (
        "user",
        "p@ss",
        "db.example",
        "5433",
        "cms",
    )
    assert config["ENGINE"] == "polycms.db.postgresql"  # Django's, with a health check that sends nothing
    assert config["CONN_MAX_AGE"] == 600 and config["CONN_HEALTH_CHECKS"] is True
    assert config["OPTIONS"] == {"sslmode": "require", "connect_timeout": 3}


def test_unsupported_database_url_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="mysql"):
        database_from_url("mysql://localhost/cms", conn_max_age=0, connect_timeout=3)


def test_sqlite_database_url_names_a_file():
    config = database_from_url("sqlite:////tmp/polycms-test.db", conn_max_age=0, connect_timeout=3)
    assert (config["ENGINE"], config["NAME"]) == ("django.db.backends.sqlite3", "/tmp/polycms-test.db")


def test_frontend_url_must_be_a_url_or_a_path():
    result = manage("check", **PRODUCTION, POLYCMS_FRONTEND_URL="www.example.com")
    assert result.returncode != 0 and "POLYCMS_FRONTEND_URL must be" in result.stderr
