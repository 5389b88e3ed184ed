"""The Python client users generate (openapi-python-client, pinned in pyproject.toml) from the live schema: it
generates without warnings, a program written the way README documents the API (tests/sdk/python/program.py)
passes ``mypy --strict``, and runs green against the live server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.sdk.conftest import ROOT, SdkServer

PROGRAM = ROOT / "tests" / "sdk" / "python" / "program.py"
BIN = Path(sys.executable).parent


def run(command: list[str], *, cwd: Path, env: dict[str, str] | None = None, timeout: int = 600) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, (
        f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout + result.stderr


def generator_warnings(output: str) -> list[str]:
    """The generator's warnings, but for request bodies of binary media types (an upload's image/png…), which
    openapi-python-client does not support: it leaves those bodies out, and says so."""
    blocks = [block.strip() for block in output.split("WARNING")[1:]]
    return [block for block in blocks if "Unsupported content type" not in block]


def test_generated_python_client_type_checks_and_works(sdk_server: SdkServer, tmp_path: Path):
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}  # its post-hooks run ruff
    package = tmp_path / "polycms_client"
    output = run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(sdk_server.schema),
            "--meta",
            "none",
            "--output-path",
            str(package),
        ],
        cwd=tmp_path,
        env=env,
    )
    assert generator_warnings(output) == [], output
    (tmp_path / "program.py").write_text(PROGRAM.read_text())

    run(
        # The program, strictly, on the generated package's types (errors inside that package are the generator's).
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--follow-imports=silent",
            "--cache-dir",
            str(tmp_path / "cache"),
            "program.py",
        ],
        cwd=tmp_path,
        env={**env, "MYPYPATH": str(tmp_path)},
    )
    answer = run(
        [sys.executable, "program.py"],
        cwd=tmp_path,
        env={**env, "POLYCMS_URL": sdk_server.url, "POLYCMS_TOKEN": sdk_server.token, "PYTHONPATH": str(tmp_path)},
    )
    assert "python client: ok" in answer
