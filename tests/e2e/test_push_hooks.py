"""Pushes in: GitHub's signed push webhook and `scribe poll` keep the documentation fresh, debounced per repository."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from gitrepos import make_git_repo
from harness import REPO_ROOT, Stack, wait_until

sys.path.insert(0, str(REPO_ROOT / "tests"))
from standins.git_http import GitHTTPServer  # noqa: E402

HOOK = "/api/hooks/github"


def commit(repo: Path, text: str) -> str:
    """A new commit on the work tree's branch; returns its id."""
    with open(repo / "README.md", "a") as f:
        f.write(f"\n{text}\n")
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "-am", text], check=True, capture_output=True)
    return subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()


def payload(clone_url: str, after: str, branch: str = "main") -> bytes:
    """The fields of GitHub's push payload that Scribe reads, among others it ignores."""
    return json.dumps({
        "ref": f"refs/heads/{branch}", "before": "0" * 40, "after": after, "deleted": False, "created": False,
        "repository": {"full_name": "acme/demo", "clone_url": clone_url, "html_url": clone_url, "default_branch": "main"},
        "pusher": {"name": "someone"}, "commits": [{"id": after, "message": "change"}],
    }).encode()


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def push(stack: Stack, body: bytes, secret: str | None, event: str = "push", sig: str | None = None) -> Any:
    headers = {"X-GitHub-Event": event, "X-GitHub-Delivery": secrets.token_hex(8), "Content-Type": "application/json"}
    if sig is None and secret is not None:
        sig = signature(secret, body)
    if sig is not None:
        headers["X-Hub-Signature-256"] = sig
    return stack.api("POST", HOOK, body, token=None, headers=headers)


def jobs_of(stack: Stack, repo_id: str) -> list[dict]:
    r = stack.api("GET", f"/api/documentation/jobs?repository_id={repo_id}&limit=100")
    assert r.status == 200, r.body
    return r.body["jobs"]


def with_secret(stack: Stack, repo_id: str) -> str:
    secret = "hook-" + secrets.token_hex(16)
    r = stack.api("PUT", f"/api/repositories/{repo_id}/push-secret", {"secret": secret})
    assert r.status == 200 and r.body["push_secret"] == "stored", r.body
    assert secret not in json.dumps(r.body)
    return secret


def test_a_signed_push_enqueues_one_job_at_its_commit_and_a_bad_signature_nothing(no_dispatcher: Stack, tmp_path: Path) -> None:
    stack = no_dispatcher
    repo = make_git_repo(tmp_path, name="signed")
    repo_id = stack.add_repository(repo)
    secret = with_secret(stack, repo_id)
    shown = stack.api("GET", f"/api/repositories/{repo_id}").body
    assert shown["push_secret_set"] is True and secret not in json.dumps(shown)
    head = commit(repo, "pushed")
    body = payload(str(repo), head)

    # Refused alike, so that the hook never tells whether a repository is registered: a wrong signature, none,
    # another secret's, and a repository nobody registered.
    for sig in (signature("wrong-secret", body), None, signature(secret, body + b" "), "sha256=zz"):
        r = push(stack, body, None, sig=sig)
        assert r.status == 401 and r.body == {"error": "Signature missing or not valid"}, (sig, r)
    unknown = payload(str(tmp_path / "nobody"), head)
    r = push(stack, unknown, secret)
    assert r.status == 401 and r.body == {"error": "Signature missing or not valid"}
    assert jobs_of(stack, repo_id) == []

    r = push(stack, body, secret, event="ping")
    assert r.status == 200 and r.body["status"] == "pong"
    r = push(stack, payload(str(repo), head, branch="feature"), secret)
    assert r.status == 200 and r.body["status"] == "ignored", r.body
    assert jobs_of(stack, repo_id) == []

    r = push(stack, body, secret)
    assert r.status == 202, r.body
    assert r.body["repositories"][0]["status"] == "enqueued" and r.body["repositories"][0]["commit"] == head
    jobs = jobs_of(stack, repo_id)
    assert len(jobs) == 1 and jobs[0]["status"] == "queued"
    assert jobs[0]["options"]["commit"] == head and jobs[0]["id"] == r.body["repositories"][0]["job_id"]
    # GitHub redelivers: the same push again adds nothing.
    r = push(stack, body, secret)
    assert r.status == 200 and r.body["repositories"][0]["status"] == "already-active", r.body
    assert len(jobs_of(stack, repo_id)) == 1

    # No bearer token is needed, and the secret never reached the log.
    assert secret not in stack.fcgi_log.read_text()


def test_three_pushes_in_a_row_leave_one_queued_job_at_the_newest_commit(no_dispatcher: Stack, tmp_path: Path) -> None:
    stack = no_dispatcher
    repo = make_git_repo(tmp_path, name="debounced")
    repo_id = stack.add_repository(repo)
    secret = with_secret(stack, repo_id)
    heads = [commit(repo, f"change {i}") for i in range(3)]
    statuses = []
    for head in heads:
        r = push(stack, payload(str(repo), head), secret)
        assert r.status == 202, r.body
        statuses.append(r.body["repositories"][0]["status"])
    assert statuses == ["enqueued", "moved", "moved"]
    jobs = jobs_of(stack, repo_id)
    assert [(j["status"], j["options"]["commit"]) for j in jobs] == [("queued", heads[-1])]


def test_a_burst_of_parallel_pushes_leaves_one_queued_job(no_dispatcher: Stack, tmp_path: Path) -> None:
    stack = no_dispatcher
    repo = make_git_repo(tmp_path, name="burst")
    repo_id = stack.add_repository(repo)
    secret = with_secret(stack, repo_id)
    heads = [commit(repo, f"burst {i}") for i in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda head: push(stack, payload(str(repo), head), secret), heads))
    assert all(a.status == 202 for a in answers), [a.body for a in answers]
    assert sorted(a.body["repositories"][0]["status"] for a in answers).count("enqueued") == 1, [a.body for a in answers]
    jobs = jobs_of(stack, repo_id)
    assert len(jobs) == 1 and jobs[0]["status"] == "queued" and jobs[0]["options"]["commit"] in heads, jobs


def test_a_push_while_a_job_runs_queues_one_follow_up_at_the_newest_commit(slow_worker: Stack, tmp_path: Path) -> None:
    stack = slow_worker
    repo = make_git_repo(tmp_path, name="followed", modules={f"m{i}": None for i in range(12)})
    repo_id = stack.add_repository(repo)
    secret = with_secret(stack, repo_id)
    first = commit(repo, "first")
    r = push(stack, payload(str(repo), first), secret)
    assert r.status == 202 and r.body["repositories"][0]["status"] == "enqueued", r.body
    running = r.body["repositories"][0]["job_id"]
    stack.poll_job(running, until=("running",), timeout=30)
    later = [commit(repo, f"later {i}") for i in range(2)]
    for head in later:
        r = push(stack, payload(str(repo), head), secret)
        assert r.status == 202 and r.body["repositories"][0]["status"] == "follow-up", r.body
    # One job while the first runs; the follow-up waits beside the repository, at the newest commit.
    assert [j["id"] for j in jobs_of(stack, repo_id)] == [running]
    assert stack.psql(f"SELECT follow_up_options->>'commit' FROM repositories WHERE id = '{repo_id}'") == later[-1]
    done = stack.poll_job(running, until=("completed",), timeout=90)
    assert done["resolved_commit"] == first
    jobs = wait_until(lambda: [j for j in jobs_of(stack, repo_id) if j["id"] != running] or None, timeout=10, what="the follow-up")
    assert len(jobs) == 1 and jobs[0]["options"]["commit"] == later[-1], jobs
    # The page knows a newer commit than the one it documents.
    for path in (f"/api/repositories/{repo_id}", f"/api/repositories/{repo_id}/pages", f"/api/repositories/{repo_id}/docs"):
        shown = stack.api("GET", path).body
        assert shown["docs_commit"] == first and shown["stale"] is True and shown["newer_commit"] == later[-1], (path, shown)
    follow_up = stack.poll_job(jobs[0]["id"], until=("completed",), timeout=90)
    assert follow_up["resolved_commit"] == later[-1]
    shown = stack.api("GET", f"/api/repositories/{repo_id}").body
    assert shown["docs_commit"] == later[-1] and shown["stale"] is False and shown["newer_commit"] is None, shown
    assert len(jobs_of(stack, repo_id)) == 2


def test_a_cancelled_job_drops_its_follow_up(no_dispatcher: Stack, tmp_path: Path) -> None:
    stack = no_dispatcher
    repo = make_git_repo(tmp_path, name="dropped")
    repo_id = stack.add_repository(repo)
    secret = with_secret(stack, repo_id)
    job_id = push(stack, payload(str(repo), commit(repo, "a")), secret).body["repositories"][0]["job_id"]
    # A job that ran once and waits for its retry keeps its commit: a newer push becomes its follow-up.
    stack.psql(f"UPDATE jobs SET attempt = 1 WHERE id = '{job_id}'")
    r = push(stack, payload(str(repo), commit(repo, "b")), secret)
    assert r.body["repositories"][0]["status"] == "follow-up", r.body
    assert stack.api("DELETE", f"/api/documentation/jobs/{job_id}").status in (200, 202)
    stack.poll_job(job_id, until=("cancelled",), timeout=15)
    assert [j["id"] for j in jobs_of(stack, repo_id)] == [job_id]


def test_push_secrets_are_set_by_admins_or_the_repository_owner_only(stack: Stack, tmp_path: Path) -> None:
    repo_id = stack.add_repository(make_git_repo(tmp_path, name="owned"))
    member = stack.cli("user", "create", "--org", "e2e", "--email", f"member-{secrets.token_hex(3)}@e2e.test").stdout.strip()
    r = stack.api("PUT", f"/api/repositories/{repo_id}/push-secret", {"secret": "s" * 20}, token=member)
    assert r.status == 403, r.body
    r = stack.api("PUT", f"/api/repositories/{repo_id}/push-secret", {"secret": "s" * 20}, token=stack.other_token)
    assert r.status == 404, r.body
    assert stack.api("PUT", f"/api/repositories/{repo_id}/push-secret", {"secret": "short"}).status == 400
    assert stack.api("PUT", f"/api/repositories/{repo_id}/push-secret", {"secret": "s" * 20}).status == 200
    assert stack.api("DELETE", f"/api/repositories/{repo_id}/push-secret").body["push_secret"] == "removed"
    assert stack.api("GET", f"/api/repositories/{repo_id}").body["push_secret_set"] is False


def test_a_payload_over_the_size_limit_is_refused(stack: Stack) -> None:
    body = b'{"padding": "' + b"x" * (1536 * 1024) + b'"}'
    r = push(stack, body, "whatever-secret")
    assert r.status == 413, r.status


def test_scribe_poll_enqueues_when_the_remote_branch_moved_and_nothing_otherwise(stack: Stack, tmp_path: Path) -> None:
    server = GitHTTPServer(tmp_path / "git-http", None).start()
    settings = {"SCRIBE_ALLOWED_HOSTS": f"github.com,http://127.0.0.1:{server.port}"}
    stack.cancel_active_jobs()
    stack.restart_fcgi(**settings)
    try:
        work = make_git_repo(tmp_path, name="polled")
        server.create_repository("acme/polled", work)
        repo_id = stack.add_repository(server.url("acme/polled"))
        documented = stack.poll_job(stack.generate(repo_id), until=("completed",), timeout=90)["resolved_commit"]

        def poll() -> subprocess.CompletedProcess:
            result = stack.cli("poll", repo_id, env=settings, check=False)
            assert result.returncode == 0, result.stdout + result.stderr
            return result

        assert poll().stdout.split() == [repo_id, "up-to-date", documented[:12]]
        assert len(jobs_of(stack, repo_id)) == 1
        newer = commit(work, "moved on")
        server.push("acme/polled", work)
        out = poll().stdout.split()
        assert out[:3] == [repo_id, "enqueued", newer[:12]], out
        jobs = jobs_of(stack, repo_id)
        assert len(jobs) == 2 and jobs[0]["id"] == out[3] and jobs[0]["options"]["commit"] == newer
        shown = stack.api("GET", f"/api/repositories/{repo_id}").body
        assert shown["remote_commit"] == newer and shown["docs_commit"] == documented and shown["newer_commit"] == newer
        # Asked again while that job is active: nothing more.
        assert poll().stdout.split()[1] in ("already-active", "up-to-date")
        assert len(jobs_of(stack, repo_id)) == 2
        stack.poll_job(out[3], until=("completed",), timeout=90)
        assert poll().stdout.split()[1] == "up-to-date"
        assert len(jobs_of(stack, repo_id)) == 2

        # A remote that cannot be asked is reported on its line, and the exit status says so.
        broken = stack.add_repository(server.url("acme/missing"))
        result = stack.cli("poll", broken, repo_id, env=settings, check=False)
        assert result.returncode == 4, result.stdout + result.stderr
        lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
        assert lines[broken].startswith("error ") and lines[repo_id].startswith("up-to-date")
    finally:
        stack.cancel_active_jobs()
        stack.restart_fcgi()
        server.stop()


def test_a_push_secret_is_rotated_with_the_other_secrets(stack: Stack, tmp_path: Path) -> None:
    """`scribe secrets rotate` re-seals push secrets too: after it, a server with the new key alone still verifies pushes."""
    stack.cancel_active_jobs()
    repo = make_git_repo(tmp_path, name="rotated-push")
    repo_id = stack.add_repository(repo)
    secret = with_secret(stack, repo_id)
    new_key = secrets.token_hex(32)
    rotated = False
    try:
        out = stack.cli("secrets", "rotate", env={"SCRIBE_SECRET_KEY_OLD": stack.secret_key, "SCRIBE_SECRET_KEY": new_key})
        rotated = True
        assert secret not in out.stdout + out.stderr
        stack.restart_fcgi(SCRIBE_SECRET_KEY=new_key, SCRIBE_DISPATCHER="0")
        r = push(stack, payload(str(repo), commit(repo, "after the rotation")), secret)
        assert r.status == 202 and r.body["repositories"][0]["status"] == "enqueued", r.body
    finally:
        if rotated:
            stack.cli("secrets", "rotate", env={"SCRIBE_SECRET_KEY_OLD": new_key, "SCRIBE_SECRET_KEY": stack.secret_key})
        stack.cancel_active_jobs()
        stack.restart_fcgi()
