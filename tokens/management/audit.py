"""The base of the token commands: stdout is for people (or a script's capture), audit lines go to stderr."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from polycms.logging import logs_to_stderr


class AuditedCommand(BaseCommand):
    """A command whose audit log lines (JSON records, on stdout in a server) are written to stderr while it
    runs, so stdout holds only what the command itself prints: ``TOKEN=$(manage.py createtoken …)``
    captures the token alone, and a person reading ``revoketoken`` sees one sentence."""

    def execute(self, *args: Any, **options: Any) -> str | None:
        with logs_to_stderr():
            return super().execute(*args, **options)
