"""A private PostgreSQL cluster for the reliability tests (gunicorn and manage.py are in ``tests.live``).

``PrivateCluster`` runs PostgreSQL's own binaries as the ``postgres`` OS user (initdb refuses root) in a
temporary directory, on 127.0.0.1 and a free port, so a test may stop and start it without touching
the shared server.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.live import free_port

PG_USER = "postgres"


def postgres_bindir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<major>/bin`` holding initdb and pg_ctl, or None."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda path: int(path.parent.name), reverse=True)
    for bindir in candidates:
        if (bindir / "initdb").exists() and (bindir / "pg_ctl").exists():
            return bindir
    return None


def missing_postgres_tools() -> str | None:
    """Why a private cluster cannot run here, or None when it can."""
    if postgres_bindir() is None:
        return "needs PostgreSQL binaries (initdb, pg_ctl under /usr/lib/postgresql/<major>/bin)"
    if shutil.which("runuser") is None:
        return "needs PostgreSQL binaries run as the postgres OS user: runuser is missing"
    try:
        import pwd

        pwd.getpwnam(PG_USER)
    except KeyError:
        return "needs PostgreSQL binaries run as the postgres OS user, which does not exist"
    return None


@dataclass
class PrivateCluster:
    """A throwaway PostgreSQL cluster: trust auth on 127.0.0.1 only, fsync off, its socket in its own dir."""

    root: Path
    port: int = field(default_factory=free_port)
    bindir: Path = field(default_factory=lambda: postgres_bindir())

    @classmethod
    def create(cls) -> PrivateCluster:
        # Not pytest's tmp_path: its parent is private to root, and the server runs as postgres.
        root = Path(tempfile.mkdtemp(prefix="polycms-pg-"))
        shutil.chown(root, PG_USER, PG_USER)
        cluster = cls(root=root)
        cluster._run("initdb", "-D", str(cluster.data_dir), "-A", "trust", "-U", PG_USER, "-E", "UTF8", "--no-sync")
        return cluster

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str) -> str:
        return f"postgres://{PG_USER}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = f"-p {self.port} -h 127.0.0.1 -k {self.root} -c fsync=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file), "-o", options, "-w", "start")

    def stop(self) -> None:
        """Fast shutdown: open sessions are cut, as when the server or its host goes away."""
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")

    def is_running(self) -> bool:
        status = subprocess.run(
            self._command("pg_ctl", "-D", str(self.data_dir), "status"), capture_output=True, cwd=self.root
        )
        return status.returncode == 0

    def create_database(self, name: str) -> None:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", PG_USER, name)

    def destroy(self) -> None:
        if self.is_running():
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def _command(self, program: str, *args: str) -> list[str]:
        return ["runuser", "-u", PG_USER, "--", str(self.bindir / program), *args]

    def _run(self, program: str, *args: str) -> None:
        result = subprocess.run(
            self._command(program, *args), capture_output=True, text=True, cwd=self.root, timeout=60
        )
        if result.returncode != 0:
            raise RuntimeError(f"{program} failed ({result.returncode}): {result.stderr or result.stdout}")
