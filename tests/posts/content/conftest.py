"""Fixtures for the posts.content tests."""

from __future__ import annotations

import pytest

from posts import content


class SanitizerSpy:
    """Stands in for posts.content's nh3 cleaner and records what it is asked to clean."""

    def __init__(self) -> None:
        self.cleaner = content.sanitizer._CLEANER
        self.calls: list[str] = []

    def clean(self, text: str) -> str:
        self.calls.append(text)
        return self.cleaner.clean(text)


@pytest.fixture
def sanitizer(monkeypatch) -> SanitizerSpy:
    spy = SanitizerSpy()
    monkeypatch.setattr(content.sanitizer, "_CLEANER", spy)
    return spy
