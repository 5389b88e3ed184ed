"""Real HTTP receivers for the webhooks tests: a ``ThreadingHTTPServer`` on 127.0.0.1 that records every request
and answers what the test scripts (a status, headers, a body, or a delay)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import time_machine
from standardwebhooks import Webhook as Verifier


@dataclass
class Received:
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"
    delay: float = 0.0  # seconds before answering
    hold: threading.Event | None = None  # answer only once this is set


class Receiver:
    """Records requests in ``received``; answers with the next of ``script`` (then ``default``)."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.script: list[Answer] = []
        self.default = Answer()
        self.arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # answer at once, not after the client's delayed ACK

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                with receiver.arrived:
                    receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                    answer = receiver.script.pop(0) if receiver.script else receiver.default
                    receiver.arrived.notify_all()
                if answer.hold is not None:
                    answer.hold.wait(30)
                if answer.delay:
                    time.sleep(answer.delay)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        """Block until ``count`` requests arrived (a real server thread answers them); AssertionError after
        ``timeout`` seconds."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.received) >= count, timeout):
                raise AssertionError(f"{len(self.received)} requests arrived, expected {count}")
            return list(self.received)


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()


def verify_at_its_time(secret: str, request: Received) -> dict:
    """Verify ``request`` with the reference ``standardwebhooks`` library as its receiver did when it arrived (the
    library refuses a timestamp more than 5 minutes from its clock); returns the parsed body."""
    sent_at = datetime.fromtimestamp(int(request.headers["webhook-timestamp"]), tz=UTC)
    with time_machine.travel(sent_at, tick=False):
        return Verifier(secret).verify(request.body, request.headers)
