"""The TypeScript client users generate (openapi-typescript types and openapi-fetch, pinned in
tests/sdk/typescript/package-lock.json, TypeScript 5) from the live schema: a program written the way README
documents the API (tests/sdk/typescript/program.ts) type-checks under ``tsc --strict`` with no casts, and runs
green against the live server. Needs Node.js and npm (``make test`` runs ``npm ci`` there first)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import _counts_as_missing_part
from tests.node import needs_node, npm_installed
from tests.sdk.conftest import ROOT, SdkServer

PROJECT = ROOT / "tests" / "sdk" / "typescript"
NEEDED_FOR = "the TypeScript SDK test"


def run(command: list[str], *, cwd: Path, env: dict[str, str] | None = None, timeout: int = 600) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, (
        f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def node_modules() -> Path:
    npm_installed(PROJECT, NEEDED_FOR)
    return PROJECT / "node_modules"


def test_generated_typescript_client_type_checks_and_works(sdk_server: SdkServer, node_modules: Path, tmp_path: Path):
    for name in ("package.json", "tsconfig.json", "program.ts"):
        shutil.copy(PROJECT / name, tmp_path / name)
    (tmp_path / "node_modules").symlink_to(node_modules)
    bin_dir = node_modules / ".bin"

    output = run([str(bin_dir / "openapi-typescript"), str(sdk_server.schema), "-o", "schema.d.ts"], cwd=tmp_path)
    assert "warn" not in output.lower(), output
    run([str(bin_dir / "tsc"), "-p", "tsconfig.json"], cwd=tmp_path)  # strict, no casts in program.ts
    env = {**os.environ, "POLYCMS_URL": sdk_server.url, "POLYCMS_TOKEN": sdk_server.token}
    answer = run([shutil.which("node") or "node", "build/program.js"], cwd=tmp_path, env=env)
    assert "typescript client: ok" in answer


def test_the_program_has_no_casts():
    code = [line.split("//")[0] for line in (PROJECT / "program.ts").read_text().splitlines()]
    for cast in (" as ", "<any>", ": any", "@ts-", "!.", "!)"):
        assert not [line for line in code if cast in line], cast


def test_a_skip_for_want_of_node_fails_ci():
    assert _counts_as_missing_part(needs_node(NEEDED_FOR))  # CI sets POLYCMS_REQUIRE_ALL_PARTS=1
