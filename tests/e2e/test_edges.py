"""Bursts and edges: the listen backlog, malformed queries, bounded error messages, nginx's own
errors as JSON, the security headers without nginx, who may read the metrics, the health when
workers cannot start, and the work folders of jobs that ended."""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import threading
from collections import Counter
from typing import Iterator
from urllib.parse import quote

import pytest

import fcgi_client
from gitrepos import make_git_repo
from harness import Stack, wait_until

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
MARKER = " … [truncated]"


@pytest.fixture(scope="module")
def member_token(stack: Stack) -> str:
    return stack.cli("user", "create", "--org", "e2e", "--email", "member-edges@e2e.test").stdout.strip()


@pytest.fixture(scope="module")
def documented(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> dict:
    repo = make_git_repo(tmp_path_factory.mktemp("edges"), modules={"alpha": None, "beta": None})
    repo_id = stack.add_repository(repo)
    job_id = stack.generate(repo_id)
    stack.poll_job(job_id, timeout=90)
    return {"repo_id": repo_id, "job_id": job_id}


# --- bursts ----------------------------------------------------------------------------------


def test_500_parallel_requests_through_nginx_get_no_5xx(stack: Stack, documented: dict) -> None:
    paths = [
        ("/api/health", None),
        (f"/api/documentation/jobs/{documented['job_id']}", stack.token),
        ("/api/repositories", stack.token),
        ("/api/me", stack.token),
    ]
    n = 500
    barrier = threading.Barrier(n, timeout=60)
    statuses: list[object] = [None] * n

    def one(i: int) -> None:
        path, token = paths[i % len(paths)]
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        conn = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=60)
        try:
            conn.connect()  # every connection is open before the first request goes out
            barrier.wait()
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            resp.read()
            statuses[i] = resp.status
        except Exception as e:  # a refused or reset connection is a failure too
            statuses[i] = repr(e)
        finally:
            conn.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    counts = Counter(statuses)
    print(f"statuses of {n} parallel requests: {dict(counts)}")
    assert counts[200] == n, dict(counts)


# --- queries and messages --------------------------------------------------------------------


@pytest.mark.parametrize("query", ["status=failed%zz", "status=%ff", "status=fail%", "limit=5&status=%C3"])
def test_a_malformed_query_value_is_400_json(stack: Stack, query: str) -> None:
    r = stack.api("GET", f"/api/documentation/jobs?{query}")
    assert r.status == 400, (r.status, r.body)
    assert "status" in r.body["error"] and "query" in r.body["error"], r.body


def test_a_huge_error_message_is_stored_bounded_and_the_work_folder_is_removed(stack: Stack, tmp_path) -> None:
    repo = make_git_repo(tmp_path, modules={"only": None})
    repo_id = stack.add_repository(repo)
    # Unknown modules fail the job after clone and analysis, with a message naming each of them.
    wanted = [f"missing/module-{i:05d}-{'x' * 40}" for i in range(2000)]
    r = stack.api("POST", "/api/documentation/jobs", {"repository_id": repo_id, "options": {"modules": wanted}})
    assert r.status == 202, r.body
    job_id = r.body["id"]
    job = stack.poll_job(job_id, until=("failed",), timeout=60)

    message = job["error_message"]
    assert message.startswith("Unknown modules: missing/module-00000"), message[:200]
    assert message.endswith(MARKER), message[-100:]
    assert len(message.encode()) <= 2048, len(message.encode())
    assert all(len(e["message"].encode()) <= 2048 for e in job["error_log"]), [len(e["message"]) for e in job["error_log"]]
    events = stack.api("GET", f"/api/documentation/jobs/{job_id}/events?after=0&limit=1000").body["events"]
    assert events and all(len(e["message"].encode()) <= 4096 for e in events)
    assert any(e["message"].endswith(MARKER) for e in events), "the error event is cut too"

    # The failed job's work folder (its home, clone, pages so far) is gone: the worker removes it right after
    # its fenced write of the final state, so it may outlive that write by a moment.
    work = stack.data_dir / "jobs" / job_id
    wait_until(lambda: not work.exists(), timeout=5, what="the failed job's work folder to be removed")


def test_the_work_folder_of_a_cancelled_job_is_removed(slow_worker: Stack, tmp_path) -> None:
    stack = slow_worker
    repo = make_git_repo(tmp_path, modules={f"part{i:02d}": None for i in range(8)})
    repo_id = stack.add_repository(repo)
    job_id = stack.generate(repo_id)
    stack.poll_job(job_id, until=lambda j: j["status"] == "running" and j["processed_objects"] >= 1, timeout=60)
    work = stack.data_dir / "jobs" / job_id
    assert work.exists(), "a running job has a work folder"
    assert stack.api("DELETE", f"/api/documentation/jobs/{job_id}").status == 200
    stack.poll_job(job_id, until=("cancelled",), timeout=15)
    wait_until(lambda: not work.exists(), timeout=10, what="the cancelled job's work folder to be removed")


def test_the_dispatcher_removes_work_folders_left_by_finished_jobs(stack: Stack, documented: dict) -> None:
    # As a worker killed at the wrong moment would leave it: a folder for a job that has ended.
    left = stack.data_dir / "jobs" / documented["job_id"]
    (left / "clone").mkdir(parents=True, exist_ok=True)
    (left / "clone" / "file.txt").write_text("left behind")
    unrelated = stack.data_dir / "jobs" / "not-a-job"
    unrelated.mkdir(parents=True, exist_ok=True)
    # The sweep runs every lease/3 seconds (2 s with the tests' 6 s lease).
    wait_until(lambda: not left.exists(), timeout=20, what="the dispatcher's sweep to remove the folder")
    assert unrelated.exists(), "only folders named after a job are touched"
    unrelated.rmdir()


# --- nginx's own errors --------------------------------------------------------------------


def raw_request(stack: Stack, data: bytes) -> tuple[int, dict[str, str], str]:
    with socket.create_connection(("127.0.0.1", stack.port), timeout=10) as s:
        s.sendall(data)
        chunks = []
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    return int(lines[0].split()[1]), headers, body.decode("utf-8", errors="replace")


def assert_json_error(status: int, headers, body, expected: int) -> None:
    assert status == expected, (status, body[:200] if isinstance(body, str) else body)
    content_type = headers.get("content-type") if isinstance(headers, dict) else headers["Content-Type"]
    assert content_type.startswith("application/json"), content_type
    parsed = json.loads(body) if isinstance(body, str) else body
    assert isinstance(parsed, dict) and parsed["error"], parsed


def test_a_method_nginx_refuses_is_405_json(stack: Stack) -> None:
    r = stack.api("TRACE", "/api/health", token=None)
    assert_json_error(r.status, r.headers, r.body, 405)
    assert r.headers.get_all("Content-Security-Policy") == [CSP]


def test_a_huge_uri_is_414_json(stack: Stack) -> None:
    r = stack.api("GET", "/api/documentation/jobs?status=" + "q" * 20000)
    assert_json_error(r.status, r.headers, r.body, 414)


def test_a_request_without_host_is_400_json(stack: Stack) -> None:
    status, headers, body = raw_request(stack, b"GET /api/health HTTP/1.1\r\nConnection: close\r\n\r\n")
    assert_json_error(status, headers, body, 400)


def test_headers_too_large_are_400_json(stack: Stack) -> None:
    r = stack.api("GET", "/api/health", token=None, headers={"X-Padding": "p" * 20000})
    assert_json_error(r.status, r.headers, r.body, 400)


def test_scribe_fcgi_stopped_reads_as_503_json(stack: Stack) -> None:
    stack.stop_fcgi()
    try:
        for path in ("/api/health", "/api/documentation/jobs"):
            r = stack.api("GET", path)
            assert_json_error(r.status, r.headers, r.body, 503)
            assert r.headers.get_all("Content-Security-Policy") == [CSP]
    finally:
        stack.start_fcgi()
        stack.wait_healthy()


# --- security headers without nginx ------------------------------------------------------------


@pytest.fixture
def without_accel(stack: Stack) -> Iterator[Stack]:
    """scribe-fcgi as on shared hosting: it sends page files itself and serves the status page."""
    stack.restart_fcgi(SCRIBE_ACCEL_REDIRECT="0", SCRIBE_STATIC_DIR=str(stack.static_dir))
    try:
        yield stack
    finally:
        stack.restart_fcgi()


def test_without_accel_redirect_pages_carry_the_same_csp_as_nginx(without_accel: Stack, documented: dict) -> None:
    stack = without_accel
    pages = stack.api("GET", f"/api/repositories/{documented['repo_id']}/pages").body["pages"]
    paths = [p["path"] for p in pages]
    html = [p for p in paths if p.endswith(".html")]
    assert paths, pages
    auth = {"Authorization": f"Bearer {stack.token}"}
    for path in (html[:1] + paths[:1]):
        uri = f"/api/repositories/{documented['repo_id']}/pages/{quote(path)}"
        direct = fcgi_client.request(str(stack.socket), "GET", uri, headers=auth)
        assert direct.status == 200, (path, direct.status, direct.body[:200])
        assert not direct.header_values("X-Accel-Redirect"), "scribe-fcgi sends the file itself"
        for name, value in SECURITY_HEADERS.items():
            assert direct.header_values(name) == [value], (path, name, direct.headers)
        # Through nginx: the same headers, once each (nginx hides scribe-fcgi's copies).
        via = stack.api("GET", uri)
        assert via.status == 200
        for name, value in SECURITY_HEADERS.items():
            assert via.headers.get_all(name) == [value], (path, name)
    # The status page and an API error, straight from scribe-fcgi, too.
    for uri, status in (("/", 200), ("/api/me", 401)):
        direct = fcgi_client.request(str(stack.socket), "GET", uri)
        assert direct.status == status, (uri, direct.status)
        assert direct.header_values("Content-Security-Policy") == [CSP], (uri, direct.headers)


# --- metrics ---------------------------------------------------------------------------------

SCRAPE_TOKEN = "scrape-" + os.urandom(12).hex()


@pytest.fixture
def scrape_stack(stack: Stack) -> Iterator[Stack]:
    stack.restart_fcgi(SCRIBE_METRICS_TOKEN=SCRAPE_TOKEN)
    try:
        yield stack
    finally:
        stack.restart_fcgi()


def org_id(stack: Stack, token: str) -> str:
    return stack.api("GET", "/api/me", token=token).body["organisation"]["id"]


def test_metrics_need_an_admin_or_the_scrape_token(scrape_stack: Stack, member_token: str, documented: dict, tmp_path) -> None:
    stack = scrape_stack
    # The other organisation has a job of its own, so that its figures exist.
    other_repo = make_git_repo(tmp_path, modules={"other": None})
    other_job = stack.generate(stack.add_repository(other_repo, token=stack.other_token), token=stack.other_token)
    stack.poll_job(other_job, token=stack.other_token, timeout=60)
    mine, theirs = org_id(stack, stack.token), org_id(stack, stack.other_token)

    assert stack.api("GET", "/api/metrics", token=None).status == 401
    assert stack.api("GET", "/api/metrics", token="scrape-wrong-" + "0" * 24).status == 401
    member = stack.api("GET", "/api/metrics", token=member_token)
    assert member.status == 403 and member.body["error"], member.body

    admin = stack.api("GET", "/api/metrics")
    assert admin.status == 200, admin.body
    assert theirs not in admin.body, "an admin sees no other organisation's figures"
    assert "scribe_http_responses_total" not in admin.body and "scribe_workers_spawned_total" not in admin.body
    completed = re.search(rf'scribe_jobs{{organisation="{mine}",state="completed"}} (\d+)', admin.body)
    assert completed, admin.body
    assert completed.group(1) == stack.psql(
        f"SELECT count(*) FROM jobs WHERE organisation_id = '{mine}' AND status = 'completed'"
    )

    scraped = stack.api("GET", "/api/metrics", token=SCRAPE_TOKEN)
    assert scraped.status == 200
    total = re.search(r'scribe_jobs{state="completed"} (\d+)', scraped.body)
    assert total and total.group(1) == stack.psql("SELECT count(*) FROM jobs WHERE status = 'completed'")
    assert "scribe_http_responses_total" in scraped.body
    # The scrape token is a secret: never in a log.
    assert SCRAPE_TOKEN not in stack.fcgi_log.read_text(errors="replace")


# --- health ----------------------------------------------------------------------------------


@pytest.fixture
def worker_path_stack(stack: Stack) -> Iterator[Stack]:
    yield stack
    stack.cancel_active_jobs()
    stack.restart_fcgi()


def health(stack: Stack) -> dict:
    r = stack.api("GET", "/api/health", token=None)
    assert r.status == 200, r.body
    return r.body


def test_health_is_degraded_when_workers_cannot_start(worker_path_stack: Stack, tmp_path) -> None:
    stack = worker_path_stack
    assert health(stack)["status"] == "ok"
    assert health(stack)["worker_start"] == "ok"

    missing = tmp_path / "no-such-worker"
    not_executable = tmp_path / "worker-without-x"
    not_executable.write_text("#!/bin/sh\nexit 0\n")
    not_executable.chmod(0o644)
    for path in (missing, not_executable):
        stack.restart_fcgi(SCRIBE_WORKER_PATH=str(path))
        h = health(stack)
        assert h["status"] == "degraded", h
        assert h["worker_start"] == "failing" and h["error"], h
        assert str(tmp_path) not in json.dumps(h), "no server path in a public answer"

    # A worker binary that starts but cannot run (as exec failing inside it would): degraded once it exits.
    broken = tmp_path / "broken-worker"
    broken.write_text("#!/bin/sh\nexit 127\n")
    broken.chmod(0o755)
    stack.restart_fcgi(SCRIBE_WORKER_PATH=str(broken))
    assert health(stack)["status"] == "ok", "nothing has failed yet"
    repo_id = stack.add_repository(make_git_repo(tmp_path, modules={"widget": None}))
    stack.generate(repo_id)
    h = wait_until(
        lambda: (lambda b: b if b["status"] == "degraded" else None)(health(stack)), timeout=20,
        what="health to say degraded after a failed worker start",
    )
    assert h["worker_start"] == "failing" and "failed" in h["error"], h

    stack.cancel_active_jobs()
    stack.restart_fcgi()
    assert health(stack)["status"] == "ok"
