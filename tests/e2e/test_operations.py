"""Running Scribe as an operator does: versions, the schema check at start, logs and SIGHUP, key rotation."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from gitrepos import make_git_repo
from harness import REPO_ROOT, Stack, wait_until, with_database
from webhook_receiver import Receiver, verify

sys.path.insert(0, str(REPO_ROOT / "tests"))
from standins.git_http import GitHTTPServer  # noqa: E402
from standins.github import GitHubAPI  # noqa: E402

BINARIES = ("scribe", "scribe-fcgi", "scribe-worker", "scribe-swift-symbols")


# --- versions --------------------------------------------------------------------------------------------


def test_every_binary_health_and_metrics_report_the_same_version(stack: Stack) -> None:
    versions = set()
    for exe in BINARIES:
        out = subprocess.run([str(stack.bin_dir / exe), "--version"], capture_output=True, text=True, timeout=10)
        assert out.returncode == 0, f"{exe} --version: {out.stderr}"
        m = re.fullmatch(rf"{exe} (\d+\.\d+\.\d+\S*)\n", out.stdout)
        assert m, f"{exe} --version printed {out.stdout!r}"
        versions.add(m.group(1))
    assert len(versions) == 1, versions
    version = versions.pop()
    health = stack.api("GET", "/api/health", token=None)
    assert health.status == 200 and health.body["version"] == version
    metrics = stack.api("GET", "/api/metrics")
    assert metrics.status == 200
    assert f'scribe_build_info{{version="{version}"}} 1' in metrics.body.splitlines()


# --- the schema check ----------------------------------------------------------------------------------


@pytest.fixture
def empty_database(stack: Stack):
    name = stack.db_name + "_empty"
    stack.server_psql(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(stack.server_url, name)
    finally:
        stack.server_psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', check=False)


def test_servers_refuse_an_unmigrated_database_and_migrate_check_tells_scripts(stack: Stack, empty_database: str, tmp_path: Path) -> None:
    env = stack.env(DATABASE_URL=empty_database, SCRIBE_SOCKET=str(tmp_path / "fcgi.sock"), SCRIBE_DATA_DIR=str(tmp_path))
    started = time.monotonic()
    fcgi = subprocess.run([str(stack.bin_dir / "scribe-fcgi")], env=env, capture_output=True, text=True, timeout=20,
                          stdin=subprocess.DEVNULL)
    assert fcgi.returncode == 78, fcgi
    assert "run `scribe migrate`" in fcgi.stderr and "missing migrations 1," in fcgi.stderr, fcgi.stderr
    assert time.monotonic() - started < 10
    assert not (tmp_path / "fcgi.sock").exists(), "it must not have listened"

    worker = subprocess.run(
        [str(stack.bin_dir / "scribe-worker"), "00000000-0000-0000-0000-000000000001"],
        env={**env, "SCRIBE_LEASE_TOKEN": "x"}, capture_output=True, text=True, timeout=20,
    )
    assert worker.returncode == 78 and "run `scribe migrate`" in worker.stderr, worker

    check = stack.cli("migrate", "--check", check=False, env={"DATABASE_URL": empty_database})
    assert check.returncode == 1 and "missing migrations" in check.stdout, check
    stack.cli("migrate", env={"DATABASE_URL": empty_database})
    check = stack.cli("migrate", "--check", check=False, env={"DATABASE_URL": empty_database})
    assert check.returncode == 0 and "up to date" in check.stdout, check


# --- logs: SCRIBE_LOG_FILE, JSON, the request log, SIGHUP ------------------------------------------------


def test_sighup_reopens_the_log_file_and_the_server_keeps_serving(stack: Stack, tmp_path: Path) -> None:
    log = tmp_path / "scribe-fcgi.log"
    stack.cancel_active_jobs()
    stack.restart_fcgi(SCRIBE_LOG_FILE=str(log), SCRIBE_LOG_FORMAT="json", SCRIBE_REQUEST_LOG="1")
    try:
        pid = stack.fcgi.pid
        assert stack.api("GET", "/api/documentation/jobs?status=queued&limit=5").status == 200
        lines = [json.loads(l) for l in log.read_text().splitlines()]
        request = [l for l in lines if l.get("message") == "request" and l.get("http.path") == "/api/documentation/jobs"]
        assert request and request[-1]["http.status"] == "200" and request[-1]["level"] == "info", lines
        assert float(request[-1]["duration_ms"]) >= 0 and request[-1]["http.method"] == "GET"

        rotated = tmp_path / "scribe-fcgi.log.1"
        log.rename(rotated)  # what logrotate does before its postrotate SIGHUP
        os.kill(pid, signal.SIGHUP)
        wait_until(log.exists, timeout=5, what="a new log file after SIGHUP")
        health = stack.api("GET", "/api/health", token=None)
        assert health.status == 200 and stack.fcgi.poll() is None and stack.fcgi.pid == pid
        job_id = "00000000-0000-4000-8000-000000000000"
        assert stack.api("GET", f"/api/documentation/jobs/{job_id}").status == 404
        new_lines = [json.loads(l) for l in log.read_text().splitlines()]
        paths = [l.get("http.path") for l in new_lines if l.get("message") == "request"]
        assert "/api/health" in paths and f"/api/documentation/jobs/{job_id}" in paths, new_lines
        assert [l for l in new_lines if l.get("job.id") == job_id and l.get("http.status") == "404"]
        everything = rotated.read_text() + log.read_text()
        assert stack.token not in everything and "status=queued" not in everything
    finally:
        stack.restart_fcgi()


# --- key rotation ------------------------------------------------------------------------------------------


@contextmanager
def github_standins(tmp_path: Path, token: str) -> Iterator[tuple[GitHubAPI, GitHTTPServer, dict[str, str]]]:
    """GitHub's API and a git server that accept `token`, and the settings that make scribe-fcgi use them."""
    api = GitHubAPI({token: "rotor"}).start()
    server = GitHTTPServer(tmp_path / "git-http", token).start()
    host = f"127.0.0.1:{server.port}"
    settings = {
        "SCRIBE_GITHUB_API": api.url, "SCRIBE_GITHUB_HOSTS": f"github.com,{host}",
        "SCRIBE_ALLOWED_HOSTS": f"github.com,http://{host}",
    }
    try:
        yield api, server, settings
    finally:
        server.stop()
        api.stop()


def test_a_refused_github_token_fails_the_job_and_the_log_has_githubs_answer(stack: Stack, tmp_path: Path) -> None:
    good, stored = "ghp_" + secrets.token_hex(18), "ghp_" + secrets.token_hex(18)
    with github_standins(tmp_path, good) as (api, server, settings):
        stack.cancel_active_jobs()
        stack.restart_fcgi(**settings)
        try:
            owner = stack.cli("user", "create", "--org", "e2e-refused", "--email", "owner@refused.test").stdout.strip()
            assert stack.api("PUT", "/api/me/github-token", {"token": stored}, token=owner).status == 200
            server.create_repository("acme/refused", make_git_repo(tmp_path, name="refused"))
            api.add_repository("acme/refused", private=True)
            repo_id = stack.add_repository(server.url("acme/refused"), token=owner)
            job = stack.poll_job(stack.generate(repo_id, token=owner), until=("failed",), timeout=60, token=owner)
            assert job["error_message"] == "GitHub token is invalid or expired. Please reconnect your GitHub account."
            worker_log = (stack.data_dir / "logs" / f"worker-{job['id']}.log").read_text()
            assert "github.answer=GitHub answered 401 Unauthorized" in worker_log, worker_log
            assert stored not in worker_log and good not in worker_log
        finally:
            stack.restart_fcgi()


def test_secrets_rotate_then_a_job_uses_the_stored_github_token(stack: Stack, tmp_path: Path) -> None:
    token = "ghp_" + secrets.token_hex(18)
    with github_standins(tmp_path, token) as (api, server, github):
        rotate_then_run(stack, tmp_path, token, api, server, github)


def rotate_then_run(stack: Stack, tmp_path: Path, token: str, api: GitHubAPI, server: GitHTTPServer,
                    github: dict[str, str]) -> None:
    new_key = secrets.token_hex(32)
    rotated = False
    stack.cancel_active_jobs()
    receiver = Receiver().start()
    hook_id = None
    try:
        owner = stack.cli("user", "create", "--org", "e2e-rotate", "--email", "owner@rotate.test", "--admin").stdout.strip()
        r = stack.api("PUT", "/api/me/github-token", {"token": token}, token=owner)
        assert r.status == 200, r.body
        # A webhook secret is rotated with the rest: events are still signed with the secret first shown.
        hook = stack.api("POST", "/api/organisation/webhooks", {"url": receiver.url}, token=owner)
        assert hook.status == 201, hook.body
        hook_id = hook.body["id"]
        server.create_repository("acme/rotated", make_git_repo(tmp_path, name="rotated"))
        api.add_repository("acme/rotated", private=True)

        keys = {"SCRIBE_SECRET_KEY_OLD": stack.secret_key, "SCRIBE_SECRET_KEY": new_key}
        out = stack.cli("secrets", "rotate", env=keys)
        rotated = True
        assert re.match(r"re-encrypted [1-9]\d* secrets?", out.stdout), out.stdout
        assert new_key not in out.stdout + out.stderr and stack.secret_key not in out.stdout + out.stderr
        again = stack.cli("secrets", "rotate", env=keys)
        assert again.stdout.startswith("re-encrypted 0 secrets") and "already under the new key" in again.stdout
        # The old key alone no longer opens anything: rotating from it with a third key fails and changes nothing.
        wrong = stack.cli("secrets", "rotate", check=False,
                          env={"SCRIBE_SECRET_KEY_OLD": stack.secret_key, "SCRIBE_SECRET_KEY": secrets.token_hex(32)})
        assert wrong.returncode == 1 and "opens with neither key" in wrong.stderr, wrong

        stack.restart_fcgi(**github, SCRIBE_SECRET_KEY=new_key)
        repo_id = stack.add_repository(server.url("acme/rotated"), token=owner)
        job = stack.poll_job(stack.generate(repo_id, token=owner), timeout=90, token=owner)
        assert job["status"] == "completed" and job["docs_path"], job
        assert any(req.path == "/user" for req in api.requests), "the worker should have validated the token"
        assert not api.violations, api.violations
        # The worker's log: its steps with the time each took, and never the token.
        worker_log = (stack.data_dir / "logs" / f"worker-{job['id']}.log").read_text()
        steps = [l for l in worker_log.splitlines() if "previous.seconds=" in l]
        assert len(steps) >= 8 and any("Validating GitHub token" in l for l in steps), worker_log
        assert token not in worker_log and new_key not in worker_log
        event = verify(hook.body["secret"], receiver.wait_for(1)[0], time.time())
        assert event["job_id"] == job["id"] and event["event"] == "job.completed"
    finally:
        receiver.stop()
        if hook_id:
            stack.api("DELETE", f"/api/organisation/webhooks/{hook_id}", token=owner)
        if rotated:
            stack.cli("secrets", "rotate", env={"SCRIBE_SECRET_KEY_OLD": new_key, "SCRIBE_SECRET_KEY": stack.secret_key})
        stack.restart_fcgi()


# --- the cause of a failure ----------------------------------------------------------------------------


def test_a_git_refusal_is_named_in_the_job_and_its_cause_is_in_the_worker_log(stack: Stack, tmp_path: Path) -> None:
    # A repository of another user: git's safe.directory check refuses it ("dubious ownership").
    repo = make_git_repo(tmp_path)
    subprocess.run(["chown", "-R", "nobody:", str(repo)], check=True)
    repo_id = stack.add_repository(repo)
    job = stack.poll_job(stack.generate(repo_id), until=("failed",), timeout=60)
    assert "dubious ownership" in job["error_message"] and "Repository not found" not in job["error_message"], job
    worker_log = (stack.data_dir / "logs" / f"worker-{job['id']}.log").read_text()
    failure = [l for l in worker_log.splitlines() if "git failed" in l]
    assert failure and "git.stderr=fatal: detected dubious ownership" in failure[0] and "warning" in failure[0], worker_log
    assert any(" error scribe-worker: job failed" in l for l in worker_log.splitlines()), worker_log


# --- a worker stopped from outside -------------------------------------------------------------------------


def job_in_the_middle(stack: Stack, tmp_path: Path) -> tuple[str, int]:
    """A job of 8 modules (400 ms each) past its first module; returns its id and its worker's pid."""
    repo = make_git_repo(tmp_path, modules={f"m{i}": None for i in range(8)})
    job_id = stack.generate(stack.add_repository(repo))
    stack.poll_job(job_id, until=lambda j: j["status"] == "running" and j["processed_objects"] >= 1, timeout=60)
    pids = stack.worker_pids(job_id)
    assert len(pids) == 1, pids
    return job_id, pids[0]


def test_a_worker_stopped_by_sigterm_hands_its_job_back_without_using_an_attempt(slow_worker: Stack, tmp_path: Path) -> None:
    stack = slow_worker
    job_id, pid = job_in_the_middle(stack, tmp_path)
    os.kill(pid, signal.SIGTERM)  # what a service stop or a shutdown sends
    job = stack.poll_job(job_id, timeout=90)
    assert job["attempt"] == 1, f"the stop used up an attempt: {job['attempt']}"
    r = stack.api("GET", f"/api/documentation/jobs/{job_id}/events?after=0")
    messages = [e["message"] for e in r.body["events"]]
    assert any("queued again without using up an attempt" in m for m in messages), messages


def test_a_running_job_survives_a_restart_of_scribe_fcgi(slow_worker: Stack, tmp_path: Path) -> None:
    # What systemd's KillMode=process does on `systemctl restart scribe-fcgi` (an upgrade): SIGTERM to
    # scribe-fcgi alone. Its worker goes on; the new scribe-fcgi neither kills nor duplicates it.
    stack = slow_worker
    job_id, pid = job_in_the_middle(stack, tmp_path)
    before = [pid]
    stack.stop_fcgi()
    stack.start_fcgi(SCRIBE_WORKER_OBJECT_DELAY_MS="400")
    stack.wait_healthy()
    seen = set()
    job = stack.poll_job(job_id, until=lambda j: seen.update(stack.worker_pids(job_id)) or j["status"] == "completed",
                         timeout=90)
    assert seen <= set(before), f"a second worker ran the job: {seen - set(before)}"
    assert job["attempt"] == 1, job
