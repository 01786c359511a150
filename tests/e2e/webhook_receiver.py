"""A webhook receiver for the tests: records every POST, answers scripted statuses, and checks a
signature the way the README tells a receiver to (Python's own hmac, not Scribe's code)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from harness import wait_until


class Receiver:
    """An HTTP server that records every POST and answers the scripted statuses in turn (then 200)."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.script: list[int] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    status = receiver.script.pop(0) if receiver.script else 200
                    receiver.received.append(
                        {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body,
                         "at": time.time(), "answered": status})
                self.send_response(status)
                if 300 <= status < 400:  # a redirect to a path that must never be asked for
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def requests(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.received)

    def wait_for(self, n: int, timeout: float = 30) -> list[dict[str, Any]]:
        wait_until(lambda: len(self.requests()) >= n, timeout=timeout, what=f"{n} webhook request(s)")
        return self.requests()

    def start(self) -> "Receiver":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def verify(secret: str, request: dict[str, Any], now: float) -> dict:
    """What a receiver does: the timestamp is recent, the HMAC matches; returns the parsed body."""
    h = request["headers"]
    timestamp = h["x-scribe-timestamp"]
    assert timestamp.isdigit() and abs(now - int(timestamp)) < 120, timestamp
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + request["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(h["x-scribe-signature"], "sha256=" + expected), (h["x-scribe-signature"], expected)
    assert h["content-type"] == "application/json"
    body = json.loads(request["body"])
    assert h["x-scribe-event"] == body["event"]
    assert h["x-scribe-delivery"] == body["delivery_id"]
    return body
