"""A minimal FastCGI client (the responder role), to talk to scribe-fcgi without nginx.

That is how shared hosting reaches it (Apache's mod_fcgid and the like): whatever headers
scribe-fcgi sets itself are all the browser gets.
"""

from __future__ import annotations

import socket
import struct
from typing import NamedTuple

_VERSION = 1
_BEGIN_REQUEST, _END_REQUEST, _PARAMS, _STDIN, _STDOUT, _STDERR = 1, 3, 4, 5, 6, 7
_RESPONDER = 1


class FcgiResponse(NamedTuple):
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header_values(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


def _record(kind: int, content: bytes, request_id: int = 1) -> bytes:
    padding = (8 - len(content) % 8) % 8
    return struct.pack(">BBHHBB", _VERSION, kind, request_id, len(content), padding, 0) + content + b"\0" * padding


def _length(n: int) -> bytes:
    return struct.pack(">B", n) if n < 128 else struct.pack(">I", n | 0x80000000)


def _params(params: dict[str, str]) -> bytes:
    out = b""
    for k, v in params.items():
        kb, vb = k.encode(), v.encode()
        out += _length(len(kb)) + _length(len(vb)) + kb + vb
    return out


def request(socket_path: str, method: str, uri: str, headers: dict[str, str] | None = None,
            body: bytes = b"", timeout: float = 15) -> FcgiResponse:
    """One request to the FastCGI server on socket_path, with the CGI parameters nginx would send."""
    path, _, query = uri.partition("?")
    params = {
        "REQUEST_METHOD": method, "REQUEST_URI": uri, "DOCUMENT_URI": path, "QUERY_STRING": query,
        "SCRIPT_NAME": "", "PATH_INFO": path, "SERVER_PROTOCOL": "HTTP/1.1", "GATEWAY_INTERFACE": "CGI/1.1",
        "CONTENT_LENGTH": str(len(body)),
    }
    for k, v in (headers or {}).items():
        name = k.upper().replace("-", "_")
        params[name if name == "CONTENT_TYPE" else "HTTP_" + name] = v
    payload = _record(_BEGIN_REQUEST, struct.pack(">HB5x", _RESPONDER, 0))
    encoded = _params(params)
    for i in range(0, len(encoded), 65535):
        payload += _record(_PARAMS, encoded[i:i + 65535])
    payload += _record(_PARAMS, b"")
    for i in range(0, len(body), 65535):
        payload += _record(_STDIN, body[i:i + 65535])
    payload += _record(_STDIN, b"")

    stdout = b""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(timeout)
        s.connect(socket_path)
        s.sendall(payload)
        buf = b""
        done = False
        while not done:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
            while len(buf) >= 8:
                _, kind, _, length, padding, _ = struct.unpack(">BBHHBB", buf[:8])
                if len(buf) < 8 + length + padding:
                    break
                content, buf = buf[8:8 + length], buf[8 + length + padding:]
                if kind == _STDOUT:
                    stdout += content
                elif kind == _END_REQUEST:
                    done = True
    head, _, rest = stdout.partition(b"\r\n\r\n")
    status = 200
    parsed: list[tuple[str, str]] = []
    for line in head.decode("latin-1").split("\r\n"):
        if not line:
            continue
        k, _, v = line.partition(":")
        if k.lower() == "status":
            status = int(v.strip().split()[0])
        else:
            parsed.append((k.strip(), v.strip()))
    return FcgiResponse(status, parsed, rest)
