"""Screenshots of the admin pages the browser tests visit, kept under test-artifacts/ for people to look at."""

from __future__ import annotations

from pathlib import Path

from tests.live import ROOT

ARTIFACTS = ROOT / "test-artifacts"


def save(target, folder: str, name: str) -> Path:
    """A screenshot of a page (whole) or of a locator, as test-artifacts/<folder>/<name>.png; returns its path."""
    path = ARTIFACTS / folder / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    if hasattr(target, "goto"):
        target.screenshot(path=path, full_page=True)
    else:
        target.screenshot(path=path)
    return path
