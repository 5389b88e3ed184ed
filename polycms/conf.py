"""Namespaced app settings (``POLYCMS_API``, ``POLYCMS_TOKENS``, ``POLYCMS_POSTS``) with defaults.

Each app builds one ``AppSettings`` object at import time; attribute reads resolve lazily against
``django.conf.settings`` and the cache is cleared on ``setting_changed``, so ``override_settings``
works in tests without re-importing anything (the DRF / django-oauth-toolkit pattern).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.signals import setting_changed


class AppSettings:
    """Read ``settings.<name>[key]`` with a fallback to ``defaults[key]``; unknown keys are errors."""

    def __init__(self, name: str, defaults: dict[str, Any]) -> None:
        self.name = name
        self.defaults = defaults
        self._cache: dict[str, Any] = {}
        setting_changed.connect(self._reload, weak=False)

    def __getattr__(self, key: str) -> Any:
        if key not in self.defaults:
            raise AttributeError(f"Invalid {self.name} setting: {key!r}")
        try:
            return self._cache[key]
        except KeyError:
            value = getattr(settings, self.name, {}).get(key, self.defaults[key])
            self._cache[key] = value
            return value

    def _reload(self, *, setting: str, **kwargs: Any) -> None:
        if setting == self.name:
            self._cache.clear()
