"""Webhooks out: a job's ending is POSTed, signed, to every webhook of its organisation and repository.

A real receiver on 127.0.0.1 (the stack allows private networks, as for the other local services)
checks nothing itself: it records each request and answers what the test scripts. The test checks
the signature with Python's own hmac over `timestamp.body`, the body's fields against the job, the
retry after a 500 with the backoff base the test stack sets (SCRIBE_WEBHOOK_RETRY_BASE_SECONDS), the
delivery log and who may read it, the refusal of private addresses at registration and at delivery
(scribe-fcgi restarted as production runs it), and that the secret is never shown again.
"""

from __future__ import annotations

import json
import secrets
import shutil
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from harness import Stack, wait_until
from webhook_receiver import Receiver, verify


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    try:
        yield r
    finally:
        r.stop()


@pytest.fixture
def hooks(stack: Stack) -> Iterator[Callable[..., dict]]:
    """register(scope_path, url, secret=None, token=…) -> the 201 body; every webhook is removed after the test,
    so that no later job of the session delivers to a receiver that is gone."""
    made: list[tuple[str, str, str]] = []

    def register(base: str, url: str, secret: str | None = None, token: Any = None) -> dict:
        body: dict[str, Any] = {"url": url}
        if secret is not None:
            body["secret"] = secret
        r = stack.api("POST", base, body, token=token or stack.token)
        assert r.status == 201, (r.status, r.body)
        made.append((base, r.body["id"], token or stack.token))
        assert r.headers["Location"] == f"{base}/{r.body['id']}"
        return r.body

    yield register
    for base, hook_id, token in made:
        stack.api("DELETE", f"{base}/{hook_id}", token=token)


def deliveries(stack: Stack, base: str, hook_id: str, token: Any = None) -> list[dict]:
    r = stack.api("GET", f"{base}/{hook_id}/deliveries", token=token or stack.token)
    assert r.status == 200, (r.status, r.body)
    assert r.body["webhook_id"] == hook_id
    return r.body["deliveries"]


def test_a_completed_job_is_posted_signed_to_the_organisation_and_repository_webhooks(
    stack: Stack, git_repo: Callable[..., Path], receiver: Receiver, hooks: Callable[..., dict]
) -> None:
    repo = stack.add_repository(git_repo(name="hooked-" + secrets.token_hex(3)))
    other_repo = stack.add_repository(git_repo(name="unhooked-" + secrets.token_hex(3)))
    given = "s3cret-" + secrets.token_hex(12)
    org_hook = hooks("/api/organisation/webhooks", receiver.url, secret=given)
    assert org_hook["secret"] == given and org_hook["scope"] == "organisation" and org_hook["repository_id"] is None
    assert org_hook["events"] == ["job.completed", "job.failed", "job.cancelled"]
    repo_hook = hooks(f"/api/repositories/{repo}/webhooks", receiver.url.replace("/hook", "/repo-hook"))
    generated = repo_hook["secret"]
    assert generated.startswith("whsec_") and len(generated) == 70 and repo_hook["repository_id"] == repo

    job = stack.poll_job(stack.generate(repo), timeout=60)
    got = receiver.wait_for(2)
    time.sleep(1)  # nothing more arrives: one event per webhook
    got = receiver.requests()
    assert len(got) == 2, [g["path"] for g in got]
    by_path = {g["path"]: g for g in got}
    assert set(by_path) == {"/hook", "/repo-hook"}
    now = time.time()
    org_body = verify(given, by_path["/hook"], now)
    repo_body = verify(generated, by_path["/repo-hook"], now)
    # The other webhook's secret does not verify: each is signed with its own.
    with pytest.raises(AssertionError):
        verify(generated, by_path["/hook"], now)

    repository = stack.api("GET", f"/api/repositories/{repo}").body
    expected = {
        "event": "job.completed", "job_id": job["id"], "repository_id": repo, "repository_url": repository["url"],
        "status": "completed", "partial": False, "processed_objects": job["processed_objects"],
        "failed_objects": 0, "total_objects": job["total_objects"], "error_message": None,
        "resolved_commit": job["resolved_commit"], "finished_at": job["finished_at"], "docs_url": f"/#/r/{repo}",
    }
    for body in (org_body, repo_body):
        assert list(body) == ["event", "delivery_id", *[k for k in expected if k != "event"]]
        assert {k: v for k, v in body.items() if k != "delivery_id"} == expected
        assert job["total_objects"] > 0 and job["processed_objects"] == job["total_objects"]
    assert org_body["delivery_id"] != repo_body["delivery_id"]

    log = deliveries(stack, "/api/organisation/webhooks", org_hook["id"])
    assert len(log) == 1
    entry = log[0]
    assert entry["id"] == org_body["delivery_id"] and entry["job_id"] == job["id"] and entry["event"] == "job.completed"
    assert entry["status"] == "delivered" and entry["attempts"] == 1 and entry["last_status"] == 200
    assert entry["last_error"] is None and entry["next_attempt_at"] is None and entry["delivered_at"] is not None

    # A job of another repository reaches the organisation's webhook only.
    other_job = stack.poll_job(stack.generate(other_repo), timeout=60)
    got = receiver.wait_for(3)
    time.sleep(1)
    got = receiver.requests()
    assert [g["path"] for g in got[2:]] == ["/hook"]
    assert verify(given, got[2], time.time())["job_id"] == other_job["id"]
    assert len(deliveries(stack, f"/api/repositories/{repo}/webhooks", repo_hook["id"])) == 1


def test_a_500_is_retried_with_backoff_and_the_log_shows_both_attempts(
    stack: Stack, git_repo: Callable[..., Path], receiver: Receiver, hooks: Callable[..., dict]
) -> None:
    repo = stack.add_repository(git_repo(name="retried-" + secrets.token_hex(3)))
    hook = hooks(f"/api/repositories/{repo}/webhooks", receiver.url)
    receiver.script = [500]
    job = stack.poll_job(stack.generate(repo), timeout=60)
    got = receiver.wait_for(2, timeout=30)
    first, second = got[0], got[1]
    assert first["answered"] == 500 and second["answered"] == 200
    # The same event (same bytes, same delivery id), signed again with the time of each attempt.
    assert first["body"] == second["body"]
    assert first["headers"]["x-scribe-delivery"] == second["headers"]["x-scribe-delivery"]
    for g in (first, second):
        assert verify(hook["secret"], g, time.time())["job_id"] == job["id"]
    # SCRIBE_WEBHOOK_RETRY_BASE_SECONDS=0.5 in the test stack: the first retry comes after 0.25 to 0.5 s.
    gap = second["at"] - first["at"]
    assert 0.2 <= gap < 10, gap

    def delivered() -> list[dict]:
        log = deliveries(stack, f"/api/repositories/{repo}/webhooks", hook["id"])
        return log if log and log[0]["status"] == "delivered" else []

    log = wait_until(delivered, timeout=10, what="the delivery to be recorded as delivered")
    assert len(log) == 1
    assert log[0]["attempts"] == 2 and log[0]["last_status"] == 200 and log[0]["last_error"] is None
    assert log[0]["last_attempt_at"] >= log[0]["created_at"]


def test_a_redirect_is_not_followed_but_retried(
    stack: Stack, git_repo: Callable[..., Path], receiver: Receiver, hooks: Callable[..., dict]
) -> None:
    repo = stack.add_repository(git_repo(name="moved-" + secrets.token_hex(3)))
    hook = hooks(f"/api/repositories/{repo}/webhooks", receiver.url)
    receiver.script = [302]
    stack.poll_job(stack.generate(repo), timeout=60)
    got = receiver.wait_for(2, timeout=30)
    assert [g["answered"] for g in got[:2]] == [302, 200]
    time.sleep(0.5)
    assert {g["path"] for g in receiver.requests()} == {"/hook"}  # /elsewhere never asked for
    log = wait_until(
        lambda: [d for d in deliveries(stack, f"/api/repositories/{repo}/webhooks", hook["id"]) if d["status"] == "delivered"],
        timeout=10, what="the delivery to be recorded")
    assert len(log) == 1 and log[0]["attempts"] == 2 and log[0]["last_status"] == 200


def test_failed_and_cancelled_jobs_are_announced_too(
    slow_worker: Stack, git_repo: Callable[..., Path], receiver: Receiver, hooks: Callable[..., dict]
) -> None:
    stack = slow_worker
    source = git_repo(name="doomed-" + secrets.token_hex(3))
    repo = stack.add_repository(source)
    hook = hooks(f"/api/repositories/{repo}/webhooks", receiver.url)

    # Cancelled while it runs (each module takes 400 ms here).
    job_id = stack.generate(repo)
    stack.poll_job(job_id, until=lambda j: j["status"] == "running", timeout=30)
    assert stack.api("POST", f"/api/documentation/jobs/{job_id}/cancel").status in (200, 202)
    cancelled = stack.poll_job(job_id, until=("cancelled",), timeout=30)
    body = verify(hook["secret"], receiver.wait_for(1)[0], time.time())
    assert body["event"] == "job.cancelled" and body["status"] == "cancelled" and body["job_id"] == cancelled["id"]

    # Failed: the repository is gone.
    shutil.rmtree(source)
    failed_id = stack.generate(repo)
    failed = stack.poll_job(failed_id, until=("failed",), timeout=60)
    body = verify(hook["secret"], receiver.wait_for(2)[1], time.time())
    assert body["event"] == "job.failed" and body["status"] == "failed" and body["job_id"] == failed_id
    assert body["error_message"] == failed["error_message"] and body["partial"] is False
    events = [d["event"] for d in deliveries(stack, f"/api/repositories/{repo}/webhooks", hook["id"])]
    assert events == ["job.failed", "job.cancelled"]  # newest first


def test_webhooks_and_their_log_are_the_organisations_own(
    stack: Stack, git_repo: Callable[..., Path], receiver: Receiver, hooks: Callable[..., dict]
) -> None:
    repo = stack.add_repository(git_repo(name="private-" + secrets.token_hex(3)))
    org_hook = hooks("/api/organisation/webhooks", receiver.url)
    repo_hook = hooks(f"/api/repositories/{repo}/webhooks", receiver.url)
    other = stack.other_token
    for path in (
        f"/api/organisation/webhooks/{org_hook['id']}/deliveries",
        f"/api/repositories/{repo}/webhooks",
        f"/api/repositories/{repo}/webhooks/{repo_hook['id']}/deliveries",
    ):
        r = stack.api("GET", path, token=other)
        assert r.status == 404, (path, r.status, r.body)
    for path in (f"/api/organisation/webhooks/{org_hook['id']}", f"/api/repositories/{repo}/webhooks/{repo_hook['id']}"):
        assert stack.api("DELETE", path, token=other).status == 404
    assert stack.api("POST", f"/api/repositories/{repo}/webhooks", {"url": receiver.url}, token=other).status == 404
    # Another organisation's list is its own; a webhook is reached only through its own scope.
    assert stack.api("GET", "/api/organisation/webhooks", token=other).body["webhooks"] == []
    assert stack.api("GET", f"/api/repositories/{repo}/webhooks/{org_hook['id']}/deliveries").status == 404
    assert stack.api("GET", f"/api/organisation/webhooks/{repo_hook['id']}/deliveries").status == 404

    # A member manages a repository's webhooks, not the organisation's.
    member = stack.cli("user", "create", "--org", "e2e", "--email", f"member-{secrets.token_hex(3)}@e2e.test").stdout.strip()
    r = stack.api("POST", "/api/organisation/webhooks", {"url": receiver.url}, token=member)
    assert r.status == 403 and "administrator" in r.body["error"]
    assert stack.api("GET", "/api/organisation/webhooks", token=member).status == 403
    mine = hooks(f"/api/repositories/{repo}/webhooks", receiver.url, token=member)
    listed = stack.api("GET", f"/api/repositories/{repo}/webhooks", token=member).body["webhooks"]
    assert {h["id"] for h in listed} == {repo_hook["id"], mine["id"]}

    # Removing a webhook removes it (and its log) for good.
    assert stack.api("DELETE", f"/api/repositories/{repo}/webhooks/{mine['id']}", token=member).status == 204
    assert stack.api("GET", f"/api/repositories/{repo}/webhooks/{mine['id']}/deliveries").status == 404
    assert stack.api("DELETE", f"/api/repositories/{repo}/webhooks/{mine['id']}").status == 404


def test_bad_registrations_are_refused(stack: Stack, receiver: Receiver) -> None:
    base = "/api/organisation/webhooks"
    for body, field in (
        ({}, "url"), ({"url": 5}, "url"), ({"url": "ftp://example.com/hook"}, "url"),
        ({"url": "https://user:pw@example.com/hook"}, "url"), ({"url": receiver.url, "secret": "short"}, "secret"),
        ({"url": receiver.url, "secret": "has spaces in it, sixteen+"}, "secret"),
        ({"url": receiver.url, "events": ["job.completed"]}, "events"),
    ):
        r = stack.api("POST", base, body)
        assert r.status == 400 and field in r.body["error"], (body, r.status, r.body)
        # A refused secret is never repeated back.
        if "secret" in body:
            assert body["secret"] not in json.dumps(r.body)
    assert stack.api("GET", base).body["webhooks"] == []


def test_private_addresses_are_refused_at_registration_and_at_delivery(
    stack: Stack, git_repo: Callable[..., Path], receiver: Receiver, hooks: Callable[..., dict],
    private_networks_refused: Callable[..., None],
) -> None:
    repo = stack.add_repository(git_repo(name="fenced-" + secrets.token_hex(3)))
    # Registered while this machine's services are allowed (as for the test stack's other stand-ins) ...
    hook = hooks(f"/api/repositories/{repo}/webhooks", receiver.url.replace("127.0.0.1", "localhost"))
    # ... then run as production runs: loopback and private addresses are refused.
    private_networks_refused()
    for url in (
        receiver.url, "https://10.0.0.7/hook", "https://[::1]/hook", "https://169.254.169.254/latest",
        "https://2130706433/hook", "https://[::ffff:127.0.0.1]/hook", "https://localhost/hook",
    ):
        r = stack.api("POST", f"/api/repositories/{repo}/webhooks", {"url": url})
        assert r.status == 422, (url, r.status, r.body)
        assert r.body["error"].startswith("Invalid url:") and "address" in r.body["error"], r.body
    assert [h["id"] for h in stack.api("GET", f"/api/repositories/{repo}/webhooks").body["webhooks"]] == [hook["id"]]

    # A name that resolves to a refused address is refused at delivery, after DNS, and recorded; no retry.
    stack.poll_job(stack.generate(repo), timeout=60)

    def failed() -> list[dict]:
        log = deliveries(stack, f"/api/repositories/{repo}/webhooks", hook["id"])
        return log if log and log[0]["status"] == "failed" else []

    log = wait_until(failed, timeout=20, what="the delivery to be refused")
    assert log[0]["attempts"] == 1 and log[0]["last_status"] is None and log[0]["next_attempt_at"] is None
    assert "127.0.0.1" in log[0]["last_error"] or "loopback" in log[0]["last_error"], log[0]
    time.sleep(1)
    assert receiver.requests() == []


def test_the_secret_is_shown_once_and_never_logged(
    stack: Stack, git_repo: Callable[..., Path], receiver: Receiver, hooks: Callable[..., dict]
) -> None:
    repo = stack.add_repository(git_repo(name="quiet-" + secrets.token_hex(3)))
    given = "given-" + secrets.token_hex(16)
    org_hook = hooks("/api/organisation/webhooks", receiver.url, secret=given)
    repo_hook = hooks(f"/api/repositories/{repo}/webhooks", receiver.url)
    generated = repo_hook["secret"]
    receiver.script = [500]  # a failed attempt is logged too
    stack.poll_job(stack.generate(repo), timeout=60)
    receiver.wait_for(3, timeout=30)
    answers = [
        stack.api("GET", "/api/organisation/webhooks"),
        stack.api("GET", f"/api/repositories/{repo}/webhooks"),
        stack.api("GET", f"/api/organisation/webhooks/{org_hook['id']}/deliveries"),
        stack.api("GET", f"/api/repositories/{repo}/webhooks/{repo_hook['id']}/deliveries"),
        stack.api("GET", f"/api/repositories/{repo}"),
    ]
    for r in answers:
        assert r.status == 200
        text = json.dumps(r.body)
        assert given not in text and generated not in text
        assert "\"secret\"" not in text  # no field of that name
    # Nowhere in what the receiver got either, nor in any log or the database in the clear.
    for g in receiver.requests():
        assert given.encode() not in g["body"] and generated.encode() not in g["body"]
        assert all(given not in v and generated not in v for v in g["headers"].values())
    logs = [stack.fcgi_log, *sorted((stack.data_dir / "logs").rglob("*"))]
    for path in logs:
        if path.is_file():
            data = path.read_bytes()
            assert given.encode() not in data and generated.encode() not in data, path
    dump = stack.psql("SELECT encode(secret_enc, 'escape') FROM webhooks")
    assert given not in dump and generated not in dump
