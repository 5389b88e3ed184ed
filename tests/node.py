"""Node.js projects the suite runs (the TypeScript SDK test, the Zapier integration's tests), each with its
packages pinned by its package-lock.json."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def npm_installed(project: Path, needed_for: str) -> str:
    """The path of ``npm``, after ``project``'s node_modules is as its package-lock.json pins it: installed by
    ``make test`` (``npm ci``), or here when missing or older than the lock file. Skips, with a reason starting
    "needs Node.js" (a missing part: CI fails on it), without node and npm or when ``npm ci`` fails (offline)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip(needs_node(needed_for))
    installed = project / "node_modules" / ".package-lock.json"  # npm writes it on install
    if not installed.exists() or installed.stat().st_mtime < (project / "package-lock.json").stat().st_mtime:
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=project, capture_output=True, text=True, timeout=600
        )
        if result.returncode != 0:
            pytest.skip(f"needs Node.js packages: npm ci failed in {project}: {result.stderr.strip()[-300:]}")
    return npm


def needs_node(needed_for: str) -> str:
    return f"needs Node.js: node and npm on PATH (Node 20+), for {needed_for}"
