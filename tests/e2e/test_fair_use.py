"""Fair use between organisations: the cap of active jobs, who may raise priority, and fair claims.

The fairness test runs the real dispatcher and workers: one organisation queues a backlog of
slow jobs (a per-module delay makes one job's slot last a second or two, measured), and
another organisation's job must start within about one slot, not after the backlog.
"""

from __future__ import annotations

import subprocess
from typing import Iterator

import pytest

from gitrepos import make_git_repo
from harness import Stack, parse_time, wait_until


@pytest.fixture(scope="module")
def member_token(stack: Stack) -> str:
    """A member (not an administrator) of the first organisation."""
    return stack.cli("user", "create", "--org", "e2e", "--email", "member-fair@e2e.test").stdout.strip()


@pytest.fixture
def capped(stack: Stack) -> Iterator[Stack]:
    """Dispatcher off (jobs stay queued) and a cap of 3 active jobs per organisation."""
    stack.cancel_active_jobs()
    stack.restart_fcgi(SCRIBE_DISPATCHER="0", SCRIBE_MAX_ACTIVE_JOBS_PER_ORG="3")
    try:
        yield stack
    finally:
        stack.cancel_active_jobs()
        stack.restart_fcgi()


def repo_with_branches(parent, count: int, modules: int = 2):
    """One git repository with branches b000… at the same commit: `count` repositories to register."""
    repo = make_git_repo(parent, modules={f"m{i}": None for i in range(modules)})
    refs = "".join(f"create refs/heads/b{i:03d} HEAD\n" for i in range(count))
    subprocess.run(["git", "update-ref", "--stdin"], cwd=repo, input=refs, text=True, check=True)
    return repo


def enqueue(stack: Stack, repo_id: str, token=None, **options) -> "ApiResponse":  # noqa: F821
    body = {"repository_id": repo_id, "options": options}
    return stack.api("POST", "/api/documentation/jobs", body, token=stack.token if token is None else token)


def test_the_cap_of_active_jobs_answers_429_with_retry_after(capped: Stack, tmp_path) -> None:
    stack = capped
    repo = repo_with_branches(tmp_path, 6)
    ids = [stack.add_repository(repo, branch=f"b{i:03d}") for i in range(6)]
    jobs = []
    for repo_id in ids[:3]:
        r = enqueue(stack, repo_id)
        assert r.status == 202, r.body
        jobs.append(r.body["id"])

    for refused in (
        enqueue(stack, ids[3]),
        stack.api("POST", "/api/generate-docs", {"repository_id": ids[4]}),
    ):
        assert refused.status == 429, refused.body
        assert "active jobs" in refused.body["error"]
        assert int(refused.headers["Retry-After"]) > 0
        assert refused.headers["Content-Type"].startswith("application/json")
    # A repository that already has an active job is still 409, as the seeds' contract says.
    again = stack.api("POST", "/api/generate-docs", {"repository_id": ids[0]})
    assert again.status == 409, again.body

    # Another organisation is not held back by this one's cap.
    other_repo = make_git_repo(tmp_path / "other", modules={"extra": None})
    other_id = stack.add_repository(other_repo, token=stack.other_token)
    assert enqueue(stack, other_id, token=stack.other_token).status == 202

    # Ending a job frees a slot; retrying it while the cap is reached again is 429 too.
    assert stack.api("DELETE", f"/api/documentation/jobs/{jobs[0]}").status == 200
    assert enqueue(stack, ids[3]).status == 202
    retry = stack.api("POST", f"/api/documentation/jobs/{jobs[0]}/retry")
    assert retry.status == 429, retry.body
    assert int(retry.headers["Retry-After"]) > 0
    assert stack.psql(
        f"SELECT count(*) FROM jobs WHERE organisation_id = (SELECT organisation_id FROM jobs WHERE id = '{jobs[1]}')"
        " AND status IN ('queued', 'running', 'paused')"
    ) == "3"


def test_priority_above_the_default_needs_an_admin_and_has_a_maximum(
    no_dispatcher: Stack, member_token: str, tmp_path
) -> None:
    stack = no_dispatcher
    repo = repo_with_branches(tmp_path, 5)
    ids = [stack.add_repository(repo, branch=f"b{i:03d}") for i in range(5)]

    r = enqueue(stack, ids[0], token=member_token, priority=1)
    assert r.status == 403, r.body
    assert "administrator" in r.body["error"]
    r = enqueue(stack, ids[0], token=stack.token, priority=11)
    assert r.status == 400, r.body
    assert "priority" in r.body["error"]
    r = enqueue(stack, ids[0], token=member_token, priority=50)
    assert r.status == 400, r.body
    assert stack.psql(f"SELECT count(*) FROM jobs WHERE repository_id = '{ids[0]}'") == "0", "a refused job is not made"

    assert enqueue(stack, ids[0], token=stack.token, priority=10).status == 202
    assert enqueue(stack, ids[1], token=member_token, priority=0).status == 202
    assert enqueue(stack, ids[2], token=member_token, priority=-5).status == 202
    assert enqueue(stack, ids[3], token=member_token).status == 202


BACKLOG = 100
WORKERS = 2


@pytest.fixture
def backlog_stack(stack: Stack) -> Iterator[Stack]:
    """Two workers, half a second per module, and room for a backlog of 100 queued jobs."""
    stack.cancel_active_jobs()
    stack.restart_fcgi(
        SCRIBE_MAX_WORKERS=str(WORKERS), SCRIBE_WORKER_OBJECT_DELAY_MS="500",
        SCRIBE_MAX_ACTIVE_JOBS_PER_ORG=str(BACKLOG + WORKERS + 10),
    )
    try:
        yield stack
    finally:
        # Queued first, so that the dispatcher starts nothing new while the rest are cancelled.
        stack.psql(
            "UPDATE jobs SET status = 'cancelled', finished_at = now(), current_step = 'Cancelled'"
            " WHERE status IN ('queued', 'paused')"
        )
        stack.cancel_active_jobs(timeout=30)
        stack.restart_fcgi()


def test_another_organisations_job_starts_within_one_slot_of_a_backlog(backlog_stack: Stack, tmp_path) -> None:
    stack = backlog_stack
    repo = repo_with_branches(tmp_path, BACKLOG + WORKERS, modules=3)
    first_org = stack.psql("SELECT organisation_id FROM users WHERE email = 'admin@e2e.test'")
    for i in range(BACKLOG + WORKERS):
        repo_id = stack.add_repository(repo, branch=f"b{i:03d}")
        # Highest priority an admin may ask for, and no cache: every job does the full work.
        r = enqueue(stack, repo_id, priority=10, regenerate_all=True)
        assert r.status == 202, r.body

    def queued_of_first() -> int:
        return int(stack.psql(f"SELECT count(*) FROM jobs WHERE organisation_id = '{first_org}' AND status = 'queued'"))

    # Every worker busy with the first organisation, the rest of its backlog waiting.
    wait_until(
        lambda: stack.psql(f"SELECT count(*) FROM jobs WHERE organisation_id = '{first_org}' AND status = 'running'")
        == str(WORKERS),
        timeout=30, what="both workers to run the first organisation's jobs",
    )
    assert queued_of_first() >= BACKLOG - WORKERS

    other_repo = make_git_repo(tmp_path / "other", modules={"solo": None})
    other_id = stack.add_repository(other_repo, token=stack.other_token)
    r = enqueue(stack, other_id, token=stack.other_token)
    assert r.status == 202, r.body
    other_job = r.body["id"]
    queued_when_enqueued = queued_of_first()

    job = stack.poll_job(
        other_job, until=lambda j: j["status"] in ("running", "completed"), timeout=60, interval=0.05,
        token=stack.other_token,
    )
    queued_when_started = queued_of_first()
    waited = (parse_time(job["started_at"]) - parse_time(job["created_at"])).total_seconds()

    # One job's slot, measured on the first organisation's jobs that finished meanwhile.
    wait_until(
        lambda: stack.psql(f"SELECT count(*) FROM jobs WHERE organisation_id = '{first_org}' AND status = 'completed'")
        not in ("", "0"),
        timeout=60, what="a job of the first organisation to complete",
    )
    slot = float(stack.psql(
        "SELECT max(extract(epoch FROM finished_at - started_at)) FROM jobs"
        f" WHERE organisation_id = '{first_org}' AND status = 'completed'"
    ))
    print(f"slot {slot:.2f} s, waited {waited:.2f} s, backlog {queued_when_enqueued} -> {queued_when_started}")
    assert slot >= 1.0, f"the first organisation's jobs must take a measurable time (took {slot:.2f} s)"
    # Overtook the backlog: at most the jobs whose slots freed meanwhile started before it.
    assert queued_when_enqueued - queued_when_started <= WORKERS, (queued_when_enqueued, queued_when_started)
    # And waited for one slot at most (plus the dispatcher's own second of latency).
    assert waited <= slot + 1.5, f"waited {waited:.2f} s for a worker; one job's slot is {slot:.2f} s"
    stack.poll_job(other_job, until=("completed",), timeout=60, token=stack.other_token)
