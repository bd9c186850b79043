"""A real webhook receiver: an HTTP server on this machine's loopback address, in a thread,
that records every request and answers as the test tells it (tests/webhooks, tests/e2e)."""

from __future__ import annotations

import contextlib
import http.server
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    # The answers to give, in turn (the last one repeats): a status code.
    statuses: list[int] = field(default_factory=lambda: [200])
    delay_seconds: float = 0.0
    answer_bytes: int = 2

    def next_status(self) -> int:
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]


@contextlib.contextmanager
def local_receiver() -> Iterator[Receiver]:
    """Serve until the block ends. Plain http on 127.0.0.1: set WEBHOOK_ALLOW_LOOPBACK."""
    state: dict[str, Receiver] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            target = state["receiver"]
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            target.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            if target.delay_seconds:
                time.sleep(target.delay_seconds)
            status = target.next_status()
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(target.answer_bytes))
                self.end_headers()
                self.wfile.write(b"x" * target.answer_bytes)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender gave up (a timeout, the byte cap): that is the point

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state["receiver"] = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/reflect-events")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["receiver"]
    finally:
        server.shutdown()
        server.server_close()
