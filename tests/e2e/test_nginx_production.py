"""deploy/nginx/scribe.conf, run as shipped (TLS included) in a private nginx.

Only the machine-specific parts are replaced: ports, the certificate (self-signed, made
here), the static folder, the data folder and the socket, which are this stack's.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest

from harness import REPO_ROOT, Stack, free_port, wait_until

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


class ProductionNginx:
    def __init__(self, prefix: Path, port: int) -> None:
        self.prefix = prefix
        self.port = port

    def request(self, method: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, http.client.HTTPMessage, str]:
        context = ssl._create_unverified_context()  # the certificate is self-signed, made by the test
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=15, context=context)
        try:
            conn.request(method, path, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, resp.headers, resp.read().decode("utf-8", errors="replace")
        finally:
            conn.close()

    def raw(self, data: bytes) -> tuple[int, str, str]:
        context = ssl._create_unverified_context()
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as plain:
            with context.wrap_socket(plain, server_hostname="scribe.example.org") as s:
                s.sendall(data)
                chunks = []
                while chunk := s.recv(65536):
                    chunks.append(chunk)
        head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        content_type = next((l.split(":", 1)[1].strip() for l in lines if l.lower().startswith("content-type:")), "")
        return int(lines[0].split()[1]), content_type, body.decode("utf-8", errors="replace")


@pytest.fixture(scope="module")
def production(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProductionNginx]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    prefix = tmp_path_factory.mktemp("nginx-production")
    (prefix / "conf").mkdir()
    (prefix / "tmp").mkdir()
    for name in ("mime.types", "fastcgi_params"):
        shutil.copy(f"/etc/nginx/{name}", prefix / "conf" / name)
    cert, key = prefix / "conf" / "cert.pem", prefix / "conf" / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=scribe.example.org",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )
    tls_port, http_port = free_port(), free_port()
    server = (REPO_ROOT / "deploy" / "nginx" / "scribe.conf").read_text()
    for old, new in [
        ("listen [::]:80;", ""), ("listen [::]:443 ssl http2;", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"), ("listen 443 ssl http2;", f"listen 127.0.0.1:{tls_port} ssl http2;"),
        ("/etc/ssl/scribe/fullchain.pem", str(cert)), ("/etc/ssl/scribe/privkey.pem", str(key)),
        ("/srv/scribe/static", str(stack.static_dir)), ("/var/lib/scribe/docs/", f"{stack.data_dir}/docs/"),
        ("unix:/run/scribe/scribe-fcgi.sock", f"unix:{stack.socket}"),
    ]:
        assert old in server, f"the production configuration no longer has {old!r}: update this test"
        server = server.replace(old, new)
    user = "user root;" if os.geteuid() == 0 else ""
    (prefix / "conf" / "nginx.conf").write_text(
        f"""{user}
worker_processes 1;
pid "{prefix}/nginx.pid";
error_log "{prefix}/error.log" warn;
events {{ worker_connections 1024; }}
http {{
    include mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path "{prefix}/tmp/body";
    fastcgi_temp_path "{prefix}/tmp/fastcgi";
    proxy_temp_path "{prefix}/tmp/proxy";
    uwsgi_temp_path "{prefix}/tmp/uwsgi";
    scgi_temp_path "{prefix}/tmp/scgi";
{server}
}}
"""
    )
    args = [nginx, "-p", f"{prefix}/", "-c", "conf/nginx.conf", "-e", f"{prefix}/error.log"]
    check = subprocess.run(args + ["-t", "-q"], capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stderr
    subprocess.run(args, check=True, timeout=30)
    pid = int(wait_until(lambda: (prefix / "nginx.pid").is_file() and (prefix / "nginx.pid").read_text().strip(),
                         timeout=10, what="nginx's pid file"))
    try:
        yield ProductionNginx(prefix, tls_port)
    finally:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)


def assert_json(status: int, content_type: str, body: str, expected: int) -> None:
    assert status == expected, (status, body[:200])
    assert content_type.startswith("application/json"), content_type
    assert json.loads(body)["error"]


def test_the_production_example_serves_the_api(production: ProductionNginx) -> None:
    status, headers, body = production.request("GET", "/api/health")
    assert status == 200, body
    assert json.loads(body)["database"] == "ok"
    assert headers.get_all("Content-Security-Policy") == [CSP]


def test_the_production_example_answers_its_own_errors_as_json(production: ProductionNginx) -> None:
    status, headers, body = production.request("TRACE", "/api/health")
    assert_json(status, headers["Content-Type"], body, 405)
    assert headers.get_all("Content-Security-Policy") == [CSP]
    status, headers, body = production.request("GET", "/api/documentation/jobs?status=" + "q" * 20000)
    assert_json(status, headers["Content-Type"], body, 414)
    status, content_type, body = production.raw(b"GET /api/health HTTP/1.1\r\nConnection: close\r\n\r\n")
    assert_json(status, content_type, body, 400)


def test_the_production_example_reads_scribe_fcgi_down_as_503_json(stack: Stack, production: ProductionNginx) -> None:
    stack.stop_fcgi()
    try:
        status, headers, body = production.request("GET", "/api/documentation/jobs")
        assert_json(status, headers["Content-Type"], body, 503)
    finally:
        stack.start_fcgi()
        stack.wait_healthy()
