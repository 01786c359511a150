"""An HTTP server that answers every request with a redirect, as a compromised or misconfigured git
host might: `302 Found` (or another 3xx) with `Location` = target + the request's path and query.

    server = RedirectServer("http://127.0.0.1:8123").start()   # server.base_url is http://127.0.0.1:PORT
    ...                                                         # a client asks for /acme/widgets.git/info/refs
    server.requests()                                           # [{"method": "GET", "path": "/acme/widgets.git/info/refs?…"}]
    server.stop()

git's smart HTTP starts with `GET /<repo>/info/refs?service=git-upload-pack`: a git that follows the
answer fetches the same repository from the target instead.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class RedirectServer:
    def __init__(self, target: str, status: int = 302, host: str = "127.0.0.1") -> None:
        if not 300 <= status < 400:
            raise ValueError("a redirect status is 3xx")
        self.target = target.rstrip("/")
        self.status = status
        self._lock = threading.Lock()
        self._log: list[dict[str, Any]] = []
        self._server = ThreadingHTTPServer((host, 0), self._handler())
        self._server.daemon_threads = True

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def requests(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._log]

    def start(self) -> "RedirectServer":
        threading.Thread(target=self._server.serve_forever, name="redirect-standin", daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "RedirectServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet: the tests read requests()
                pass

            def _redirect(self) -> None:
                with server._lock:
                    server._log.append({"method": self.command, "path": self.path})
                n = int(self.headers.get("Content-Length") or 0)
                if n > 0:
                    self.rfile.read(n)
                self.send_response(server.status)
                self.send_header("Location", server.target + self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_HEAD = _redirect

        return Handler
