"""The shipped deployments of deploy/, run as an administrator would run them.

- deploy/nginx/scribe.conf with TLS (a self-signed certificate): content types, security headers,
  pages through X-Accel-Redirect, gzip on JSON with 304 for pollers (weak ETags);
- deploy/apache/ with mod_fcgid, Apache and every Scribe process running as an ordinary user, the
  environment in one file for mod_fcgid and the crontab line;
- deploy/systemd/ checked by `systemd-analyze verify`.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import shutil
import ssl
import subprocess
from pathlib import Path
from typing import Any, Iterator

import pytest

from deploy import DEPLOY, ApacheSite, ProductionNginx
from gitrepos import make_git_repo
from harness import ApiResponse, Stack, with_database

APACHE_USER = "nobody"


# --- production nginx with TLS ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def prod_nginx(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProductionNginx]:
    n = ProductionNginx(tmp_path_factory.mktemp("prod-nginx"), stack.socket, stack.data_dir, stack.static_dir).start()
    try:
        yield n
    finally:
        n.stop()


def https(n: ProductionNginx, method: str, path: str, headers: dict[str, str] | None = None,
          body: bytes | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
    context = ssl.create_default_context(cafile=str(n.prefix / "tls" / "fullchain.pem"))
    conn = http.client.HTTPSConnection("127.0.0.1", n.port, context=context, timeout=15)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def documented(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A repository of the session's stack with one completed job."""
    repo = make_git_repo(tmp_path_factory.mktemp("deploy-repo"))
    repo_id = stack.add_repository(repo)
    job = stack.poll_job(stack.generate(repo_id), timeout=90)
    return {"repo_id": repo_id, "job": job}


@pytest.mark.parametrize("path, content_type", [
    ("/", "text/html"), ("/app.js", "application/javascript"), ("/style.css", "text/css"),
    ("/favicon.svg", "image/svg+xml"),
])
def test_production_nginx_sends_the_status_page_with_its_content_types(
    prod_nginx: ProductionNginx, path: str, content_type: str
) -> None:
    status, headers, body = https(prod_nginx, "GET", path)
    assert status == 200 and body
    assert headers["Content-Type"].split(";")[0] == content_type, headers["Content-Type"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Strict-Transport-Security"].startswith("max-age=")


def test_production_nginx_redirects_plain_http_to_https(prod_nginx: ProductionNginx) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", prod_nginx.http_port, timeout=10)
    conn.request("GET", "/api/health")
    resp = conn.getresponse()
    assert resp.status == 301 and resp.headers["Location"].startswith("https://")


def test_production_nginx_gzips_json_and_still_answers_304_to_its_weak_etag(
    prod_nginx: ProductionNginx, stack: Stack, documented: dict
) -> None:
    job_id = documented["job"]["id"]
    auth = {"Authorization": f"Bearer {stack.token}", "Accept-Encoding": "gzip"}
    status, headers, body = https(prod_nginx, "GET", f"/api/documentation/jobs/{job_id}", auth)
    assert status == 200
    assert headers["Content-Encoding"] == "gzip" and headers["Content-Type"].startswith("application/json")
    assert json.loads(gzip.decompress(body))["id"] == job_id
    etag = headers["ETag"]
    assert etag.startswith('W/"'), f"gzip should have weakened the ETag: {etag}"
    status, headers, body = https(prod_nginx, "GET", f"/api/documentation/jobs/{job_id}", {**auth, "If-None-Match": etag})
    assert status == 304 and body == b""
    # A tag of another version is no match.
    stale = etag.replace(f'{job_id}-', f'{job_id}-9999', 1)
    status, _, _ = https(prod_nginx, "GET", f"/api/documentation/jobs/{job_id}", {**auth, "If-None-Match": stale})
    assert status == 200


def test_production_nginx_sends_pages_through_x_accel_redirect(
    prod_nginx: ProductionNginx, stack: Stack, documented: dict
) -> None:
    auth = {"Authorization": f"Bearer {stack.token}"}
    status, headers, body = https(prod_nginx, "GET", f"/api/repositories/{documented['repo_id']}/pages/index.md", auth)
    assert status == 200, body
    assert headers["Content-Type"].startswith("text/markdown")
    assert "X-Accel-Redirect" not in headers
    stored = stack.pages_of(documented["job"]["id"]) / "index.md"
    assert body == stored.read_bytes()
    # The internal location is not reachable from outside.
    status, _, _ = https(prod_nginx, "GET", f"/_scribe_docs/{documented['job']['docs_path']}/index.md")
    assert status == 404
    # Without a token: 401 in JSON, not the file.
    status, headers, body = https(prod_nginx, "GET", f"/api/repositories/{documented['repo_id']}/pages/index.md")
    assert status == 401 and json.loads(body)["error"]


# --- Apache with mod_fcgid as an ordinary user ---------------------------------------------------------


@pytest.fixture(scope="module")
def apache(stack: Stack) -> Iterator[ApacheSite]:
    # Not under pytest's folders: they are private to root, and Apache runs as another user.
    root = Path(subprocess.run(["mktemp", "-d", "/tmp/scribe-apache.XXXXXX"], capture_output=True, text=True,
                               check=True).stdout.strip())
    # A database of its own: the session's scribe-fcgi would otherwise claim this site's jobs.
    db_name = stack.db_name + "_apache"
    stack.server_psql(f'CREATE DATABASE "{db_name}"')
    database_url = with_database(stack.server_url, db_name)
    site = ApacheSite(root, stack.bin_dir, APACHE_USER, {})
    site.env = {
        "DATABASE_URL": database_url,  # has an & (host and port): the quoting matters
        "SCRIBE_DATA_DIR": str(site.data_dir),
        "SCRIBE_SECRET_KEY": stack.secret_key,
        "SCRIBE_ACCEL_REDIRECT": "0",
        "SCRIBE_DISPATCHER": "0",
        "SCRIBE_ALLOW_LOCAL_REPOS": "1",
        "SCRIBE_GITHUB_API": "http://127.0.0.1:9",
        "SCRIBE_LOG_FILE": str(site.data_dir / "logs" / "scribe-fcgi.log"),
        "SCRIBE_REQUEST_LOG": "1",
    }
    assert "&" in database_url
    site.install()
    # The operator's first steps, through the same environment file as mod_fcgid and cron.
    for command in ("scribe migrate", "scribe user create --org apache --email admin@apache.test --admin"):
        result = site.run_as_user(f"$HOME/scribe/bin/scribe-env {command}")
        assert result.returncode == 0, result.stderr
    site.token = result.stdout.strip()
    site.start()
    try:
        yield site
    finally:
        site.stop()
        shutil.rmtree(root, ignore_errors=True)
        stack.server_psql(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)', check=False)


def apache_api(stack: Stack, site: ApacheSite, method: str, path: str, token: str | None, body: Any = None) -> ApiResponse:
    return stack.api(method, path, body, token=token, port=site.port, timeout=30)


def test_apache_runs_an_authenticated_job_from_creation_to_served_pages(
    apache: ApacheSite, stack: Stack, tmp_path: Path
) -> None:
    repo = make_git_repo(tmp_path)
    shutil.copytree(repo, apache.root / "demo.git")  # the worker runs as the site's user: its own copy
    subprocess.run(["chown", "-R", f"{APACHE_USER}:", str(apache.root / "demo.git")], check=True)
    url = str(apache.root / "demo.git")

    status, _, body = apache_api(stack, apache, "GET", "/api/me", None)
    assert status == 401 and body["error"]
    status, _, body = apache_api(stack, apache, "GET", "/api/me", apache.token)
    assert status == 200, f"Authorization did not reach scribe-fcgi (CGIPassAuth): {status} {body}"

    status, headers, created = apache_api(stack, apache, "POST", "/api/repositories", apache.token, {"url": url})
    assert status == 201, created
    # Registering it again is a 200 with the repository itself: no Location, so no internal redirect.
    status, headers, again = apache_api(stack, apache, "POST", "/api/repositories", apache.token, {"url": url})
    assert status == 200 and isinstance(again, dict) and again["id"] == created["id"], again
    assert "Location" not in headers

    status, _, started = apache_api(stack, apache, "POST", "/api/generate-docs", apache.token, {"repository_id": created["id"]})
    assert status == 202, started
    job_id = started["data"]["job_id"]

    # cron's line, as the site's user: the same environment file through scribe-env.
    line = next(l for l in (DEPLOY / "cron" / "scribe.crontab").read_text().splitlines()
                if l.strip() and not l.startswith("#"))
    command = line.split(None, 5)[5]
    result = apache.run_as_user(command)
    assert result.returncode == 0, result.stderr
    status, _, job = apache_api(stack, apache, "GET", f"/api/documentation/jobs/{job_id}", apache.token)
    assert status == 200 and job["status"] == "completed", job

    status, headers, page = apache_api(stack, apache, "GET", f"/api/repositories/{created['id']}/pages/index.md", apache.token)
    assert status == 200 and headers["Content-Type"].startswith("text/markdown")
    exported = Path(str(apache.data_dir) + "-export")
    stack.cli("pages", "export", job["id"], "--out", str(exported), env={"DATABASE_URL": apache.env["DATABASE_URL"]})
    assert page == (exported / "index.md").read_text()

    # The status page is Apache's, with its content type.
    status, headers, html = apache_api(stack, apache, "GET", "/", None)
    assert status == 200 and headers["Content-Type"].startswith("text/html") and "<html" in html.lower()

    # Every Scribe process ran as the ordinary user, and the request log has the job without a token.
    log = (apache.data_dir / "logs" / "scribe-fcgi.log").read_text()
    assert f"job.id={job_id}" in log and "http.status=202" in log
    assert apache.token not in log


def test_apache_answers_a_large_body_with_scribes_json_413(apache: ApacheSite, stack: Stack) -> None:
    status, headers, body = apache_api(
        stack, apache, "POST", "/api/repositories", apache.token, b'{"url": "' + b"x" * 1_500_000 + b'"}')
    assert status == 413, body
    assert headers["Content-Type"].startswith("application/json") and body["error"]


def test_apache_refuses_trace(apache: ApacheSite) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", apache.port, timeout=10)
    conn.request("TRACE", "/", headers={"Authorization": "Bearer secret-to-echo"})
    resp = conn.getresponse()
    body = resp.read()
    assert resp.status == 405 and b"secret-to-echo" not in body


def test_scribe_processes_under_apache_run_as_the_ordinary_user(apache: ApacheSite) -> None:
    import pwd

    uid = pwd.getpwnam(APACHE_USER).pw_uid
    owners = set()
    for entry in Path("/proc").iterdir():
        try:
            if os.readlink(entry / "exe").startswith(str(apache.root)):
                owners.add(entry.stat().st_uid)
        except OSError:
            continue
    assert owners == {uid}, f"scribe-fcgi should run as {APACHE_USER} only, found uids {owners}"


# --- systemd -------------------------------------------------------------------------------------------

UNITS = ("scribe-fcgi.socket", "scribe-fcgi.service", "scribe-dispatch.service", "scribe-dispatch.timer")


def test_systemd_units_pass_systemd_analyze_verify(stack: Stack, tmp_path: Path) -> None:
    for unit in UNITS:
        text = (DEPLOY / "systemd" / unit).read_text()
        # Installed elsewhere than /usr/local/bin: the one change an installer makes.
        (tmp_path / unit).write_text(text.replace("/usr/local/bin/", f"{stack.bin_dir}/"))
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(f"./{u}" for u in UNITS)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    # verify exits 0 on many mistakes (an unknown setting is "ignoring"): any output is a finding.
    assert result.returncode == 0 and not (result.stdout + result.stderr).strip(), result.stdout + result.stderr


def test_systemd_units_keep_workers_alive_on_stop_and_give_nginx_the_socket() -> None:
    service = (DEPLOY / "systemd" / "scribe-fcgi.service").read_text()
    socket_unit = (DEPLOY / "systemd" / "scribe-fcgi.socket").read_text()
    settings = {l.split("=", 1)[0]: l.split("=", 1)[1] for l in service.splitlines() if "=" in l and not l.startswith("#")}
    assert settings["KillMode"] == "process" and settings["StandardInput"] == "socket"
    sock = {l.split("=", 1)[0]: l.split("=", 1)[1] for l in socket_unit.splitlines() if "=" in l and not l.startswith("#")}
    assert sock["SocketMode"] == "0660" and sock["SocketGroup"] == "www-data"
    timer = (DEPLOY / "systemd" / "scribe-dispatch.timer").read_text()
    assert "OnUnitInactiveSec=" in timer
