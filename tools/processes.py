"""Child processes and ports, for the tools and the tests that start servers and workers."""

from __future__ import annotations

import signal
import socket
import subprocess


def stop(*processes: subprocess.Popen, timeout: float = 15) -> None:
    """Stop ``processes`` as a process manager would: SIGTERM to all (a worker finishes its job first), then
    SIGKILL to any still running after ``timeout`` seconds."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
