"""Documentation jobs end to end: from the HTTP request to the pages nginx sends.

Each test makes its own git repository. Tests that must catch a job in the middle use
the slow_worker fixture (400 ms per module) and repositories with many modules.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from collections import Counter
from urllib.parse import quote

import pytest

from gitrepos import head_commit, make_git_repo
from harness import Stack, parse_time, wait_until

MODULES = ["core", "storage", "web"]
SLOW_MODULES = [f"part{i:02d}" for i in range(10)]
IN_PROGRESS = "Documentation generation is already in progress"


def assert_progress_never_goes_back(history: list[tuple[float, dict]]) -> None:
    """Within one attempt, progress and processed objects only grow."""
    by_attempt: dict[int, list[dict]] = {}
    for _, job in history:
        by_attempt.setdefault(job["attempt"], []).append(job)
    for attempt, jobs in by_attempt.items():
        progress = [j["progress"] for j in jobs]
        assert progress == sorted(progress), f"progress went back in attempt {attempt}: {progress}"
        done = [j["processed_objects"] for j in jobs]
        assert done == sorted(done), f"processed_objects went back in attempt {attempt}: {done}"


def running_with_objects_done(n: int):
    return lambda job: job["status"] == "running" and (job["processed_objects"] or 0) >= n


# --- the whole way, once ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def documented(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A repository with three modules, documented by one job through POST /api/generate-docs."""
    repo = make_git_repo(tmp_path_factory.mktemp("documented"), modules={m: None for m in MODULES}, extra_commits=1)
    repo_id = stack.add_repository(repo)

    before = stack.api("GET", f"/api/repositories/{repo_id}/docs")
    r = stack.api("POST", "/api/generate-docs", {"repository_id": repo_id})
    assert r.status == 202, r.body
    job_id = r.body["data"]["job_id"]

    history: list = []
    docs_seen = set()

    def done(job: dict) -> bool:
        docs = stack.api("GET", f"/api/repositories/{repo_id}/docs")
        assert docs.status == 200, docs.body
        docs_seen.add(docs.body["status"])
        return job["status"] == "completed" and docs.body["status"] == "completed"

    job = stack.poll_job(job_id, until=done, timeout=90, interval=0.05, history=history)
    return {
        "repo": repo, "repo_id": repo_id, "job_id": job_id, "job": job, "history": history,
        "accepted": r.body, "docs_before": before, "docs_seen": docs_seen,
    }


def test_generate_docs_answers_202_with_the_seeds_contract(documented: dict) -> None:
    body = documented["accepted"]
    assert body["success"] is True
    assert body["message"] == "Documentation generation started"
    assert body["data"]["repository_id"] == documented["repo_id"]
    assert body["data"]["status"] == "generating"
    assert body["data"]["job_id"]


def test_docs_status_goes_from_idle_to_completed(stack: Stack, documented: dict) -> None:
    before = documented["docs_before"]
    assert before.status == 200, before.body
    assert before.body["status"] == "idle"
    assert before.body["job_id"] is None

    docs = stack.api("GET", f"/api/repositories/{documented['repo_id']}/docs")
    assert docs.status == 200
    assert docs.body["repository_id"] == documented["repo_id"]
    assert docs.body["status"] == "completed"
    assert docs.body["progress"] == 100
    assert docs.body["job_id"] == documented["job_id"]
    assert docs.body["error_message"] is None
    assert docs.body["generation_started_at"]
    assert documented["docs_seen"] <= {"generating", "completed"}


def test_completed_job_records_its_run(documented: dict) -> None:
    job = documented["job"]
    assert job["status"] == "completed"
    assert job["progress"] == 100
    assert job["attempt"] == 1
    assert job["total_objects"] == len(MODULES)
    assert job["processed_objects"] == len(MODULES)
    assert job["failed_objects"] == 0
    assert parse_time(job["created_at"]) <= parse_time(job["started_at"]) <= parse_time(job["finished_at"])
    assert job["error_message"] is None
    assert job["resolved_commit"] and len(job["resolved_commit"]) == 40
    assert job["generator"] == "builtin"
    assert job["version"] is not None
    assert_progress_never_goes_back(documented["history"])


def test_resolved_commit_is_the_repository_head(documented: dict) -> None:
    assert documented["job"]["resolved_commit"] == head_commit(documented["repo"])


def test_pages_name_every_module_and_nginx_sends_them(stack: Stack, documented: dict) -> None:
    r = stack.api("GET", f"/api/repositories/{documented['repo_id']}/pages")
    assert r.status == 200, r.body
    assert r.body["repository_id"] == documented["repo_id"]
    assert r.body["job_id"] == documented["job_id"]
    pages = r.body["pages"]
    modules = {p["module"] for p in pages if p["kind"] == "module"}
    assert modules == set(MODULES), pages
    assert any(p["kind"] == "overview" for p in pages), pages

    for page in pages:
        path = page["path"]
        got = stack.api("GET", f"/api/repositories/{documented['repo_id']}/pages/{quote(path)}")
        assert got.status == 200, (path, got.status, got.body)
        # The file came from nginx's internal location (X-Accel-Redirect), not from scribe-fcgi.
        assert got.headers.get("Accept-Ranges") == "bytes", (path, dict(got.headers))
        assert "X-Accel-Redirect" not in got.headers
        media_type = got.headers["Content-Type"].split(";")[0]
        if "content_type" in page:
            assert media_type == page["content_type"].split(";")[0], (path, got.headers["Content-Type"])
        text = got.body if isinstance(got.body, str) else json.dumps(got.body)
        if page["kind"] == "module":
            assert media_type == "text/markdown", (path, media_type)
            assert page["module"] in text, (path, text[:500])
        elif page["kind"] == "overview":
            assert media_type == "text/markdown", (path, media_type)
            for module in MODULES:
                assert module in text, (path, module, text[:500])


def test_pages_are_in_the_database_not_in_a_job_folder(stack: Stack, documented: dict) -> None:
    folder = stack.pages_of(documented["job_id"])
    for module in MODULES:
        assert (folder / "modules" / f"{module}.md").is_file()
    # No folder per job under the data folder any more: only the host's cache of page files.
    assert not (stack.data_dir / "docs" / documented["repo_id"]).exists()
    # The per-job work folder keeps no clone.
    work = stack.data_dir / "jobs" / documented["job_id"]
    if work.exists():
        assert not list(work.rglob(".git")), f"a clone was left in {work}"


@pytest.mark.parametrize("path", ["../../../../etc/passwd", "..%2F..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "nope.md"])
def test_a_page_outside_the_documentation_is_not_found(stack: Stack, documented: dict, path: str) -> None:
    r = stack.api("GET", f"/api/repositories/{documented['repo_id']}/pages/{path}")
    assert r.status in (400, 404), (r.status, r.body)
    assert "root:" not in str(r.body)


def test_events_page_by_sequence_number(stack: Stack, documented: dict) -> None:
    job_id = documented["job_id"]
    r = stack.api("GET", f"/api/documentation/jobs/{job_id}/events?after=0")
    assert r.status == 200, r.body
    events = r.body["events"]
    assert events, "a completed job has events"
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(set(seqs)), seqs
    assert any(e["kind"] == "step" for e in events), events
    objects = [e["object"] or "" for e in events if e["kind"] == "object"]
    assert all(any(m in o for o in objects) for m in MODULES), objects

    rest = stack.api("GET", f"/api/documentation/jobs/{job_id}/events?after={seqs[-1]}")
    assert rest.status == 200
    assert rest.body["events"] == []

    first = stack.api("GET", f"/api/documentation/jobs/{job_id}/events?after=0&limit=1")
    assert [e["seq"] for e in first.body["events"]] == seqs[:1]
    assert first.body["next_after"] == seqs[0]


def test_objects_are_one_per_module_and_done(stack: Stack, documented: dict) -> None:
    r = stack.api("GET", f"/api/documentation/jobs/{documented['job_id']}/objects")
    assert r.status == 200, r.body
    objects = r.body["objects"]
    assert len(objects) == len(MODULES)
    assert all(o["status"] == "done" for o in objects), objects
    assert all(any(m in o["path"] for m in MODULES) for o in objects), objects


def test_jobs_list_filters_by_repository_and_status(stack: Stack, documented: dict) -> None:
    r = stack.api("GET", f"/api/documentation/jobs?repository_id={documented['repo_id']}")
    assert r.status == 200, r.body
    assert [j["id"] for j in r.body["jobs"]] == [documented["job_id"]]
    r = stack.api("GET", f"/api/documentation/jobs?repository_id={documented['repo_id']}&status=failed")
    assert r.status == 200
    assert r.body["jobs"] == []


def test_repository_shows_its_last_job(stack: Stack, documented: dict) -> None:
    r = stack.api("GET", f"/api/repositories/{documented['repo_id']}")
    assert r.status == 200, r.body
    assert r.body["id"] == documented["repo_id"]
    assert r.body["last_job_id"] == documented["job_id"]
    assert r.body["active_job_id"] is None
    assert r.body["docs_status"] == "completed"


def test_the_same_commit_again_is_served_from_the_cache(stack: Stack, git_repo) -> None:
    repo_id = stack.add_repository(git_repo())
    first = stack.poll_job(stack.generate(repo_id), timeout=60)
    assert first["cache_hit"] is False

    again = stack.poll_job(stack.generate(repo_id), timeout=30)
    assert again["cache_hit"] is True
    assert again["progress"] == 100
    assert again["resolved_commit"] == first["resolved_commit"]
    took = (parse_time(again["finished_at"]) - parse_time(again["started_at"])).total_seconds()
    assert took < 1.0, f"a cache hit took {took:.2f} s"
    assert stack.api("GET", f"/api/repositories/{repo_id}/pages").status == 200

    r = stack.api("POST", "/api/documentation/jobs", {"repository_id": repo_id, "options": {"regenerate_all": True}})
    assert r.status == 202, r.body
    fresh = stack.poll_job(r.body["id"], timeout=60)
    assert fresh["cache_hit"] is False


# --- failures of the machinery ---------------------------------------------------------------------


def test_a_killed_worker_is_rescued_and_the_job_completes(slow_worker: Stack, git_repo) -> None:
    stack = slow_worker
    repo_id = stack.add_repository(git_repo(modules={m: None for m in SLOW_MODULES}))
    job_id = stack.generate(repo_id)

    stack.poll_job(job_id, until=running_with_objects_done(1), timeout=60)
    pids = wait_until(lambda: stack.worker_pids(job_id), timeout=5, what=f"scribe-worker {job_id}")
    assert len(pids) == 1, pids
    os.kill(pids[0], signal.SIGKILL)
    killed_at = time.monotonic()

    history: list = []
    job = stack.poll_job(job_id, timeout=90, interval=0.1, history=history)

    assert job["status"] == "completed"
    assert job["attempt"] == 2, "one more attempt after the dead worker, and only one"
    assert job["processed_objects"] == len(SLOW_MODULES)
    assert job["failed_objects"] == 0
    assert any(e.get("attempt") == 1 for e in job["error_log"]), job["error_log"]
    # Never stuck `running` without a worker: the dispatcher sees its own worker exit and releases the
    # attempt at once (SPEC §2, invariant 2), long before the lease (6 s here) could rescue it. The bound
    # is the reaper's, plus one poll and a loaded machine's slack; the lease's rescue would miss it.
    stuck = [t - killed_at for t, j in history if j["status"] == "running" and j["attempt"] == 1]
    lease = float(stack.env()["SCRIBE_LEASE_SECONDS"])
    assert not stuck or max(stuck) < 2.0 < lease, f"attempt 1 still running {max(stuck):.1f} s after the kill"
    assert_progress_never_goes_back(history)
    assert pids[0] not in stack.worker_pids()

    pages = stack.api("GET", f"/api/repositories/{repo_id}/pages")
    assert pages.status == 200
    assert {p["module"] for p in pages.body["pages"] if p["kind"] == "module"} == set(SLOW_MODULES)


def test_a_frozen_worker_is_rescued_after_the_lease_and_its_late_writes_are_refused(slow_worker: Stack, git_repo) -> None:
    """SIGSTOP freezes a worker (heartbeats too) without an exit the dispatcher could see: the lease (6 s
    here) expires, another attempt takes the job, and the frozen worker, thawed, writes nothing more."""
    stack = slow_worker
    repo_id = stack.add_repository(git_repo(modules={m: None for m in SLOW_MODULES}))
    job_id = stack.generate(repo_id)
    stack.poll_job(job_id, until=running_with_objects_done(1), timeout=60)
    (frozen,) = wait_until(lambda: stack.worker_pids(job_id), timeout=5, what=f"scribe-worker {job_id}")
    os.kill(frozen, signal.SIGSTOP)
    stopped_at = time.monotonic()
    try:
        rescued = stack.poll_job(job_id, until=lambda j: j["attempt"] == 2 and j["status"] == "running", timeout=30)
        waited = time.monotonic() - stopped_at
        assert 6 - 1 <= waited <= 6 + 6, f"rescued {waited:.1f} s after the freeze (lease 6 s)"
        assert rescued["attempt"] == 2
        thawed_at = stack.psql("SELECT clock_timestamp()").strip()
    finally:
        os.kill(frozen, signal.SIGCONT)
    # Its next fenced write finds another lease: it stops without writing and exits.
    wait_until(lambda: frozen not in stack.worker_pids(), timeout=10, what="the thawed worker to exit")
    # Nor does it delete the new attempt's clone on its way out (a late write no database fence stops).
    # The folder is looked at before the status: attempt 2 removes it just after it completes, so a
    # missing folder with the job still running afterwards can only be the thawed worker's doing.
    clone = stack.data_dir / "jobs" / job_id / "clone"
    present = clone.is_dir()
    current = stack.job(job_id)
    assert present or current["status"] != "running", "the thawed worker removed attempt 2's clone"
    job = stack.poll_job(job_id, until=("completed",), timeout=90)
    assert job["attempt"] == 2
    assert job["processed_objects"] == len(SLOW_MODULES) and job["failed_objects"] == 0, job
    late = stack.psql(
        f"SELECT count(*) FROM job_events WHERE job_id = '{job_id}' AND attempt = 1 AND at > '{thawed_at}'")
    assert late.strip() == "0", f"{late.strip()} events of the frozen attempt were written after it thawed"


def test_cancel_stops_a_running_job_within_5_seconds(slow_worker: Stack, git_repo) -> None:
    stack = slow_worker
    repo_id = stack.add_repository(git_repo(modules={m: None for m in SLOW_MODULES}))
    job_id = stack.generate(repo_id)
    stack.poll_job(job_id, until=running_with_objects_done(1), timeout=60)
    pids = wait_until(lambda: stack.worker_pids(job_id), timeout=5, what=f"scribe-worker {job_id}")

    docs = stack.api("GET", f"/api/repositories/{repo_id}/docs")
    assert docs.body["status"] == "generating"

    r = stack.api("DELETE", f"/api/documentation/jobs/{job_id}")
    assert r.status == 200, r.body
    # A running job is asked to stop: it stays running until its worker has stopped (SPEC §2).
    assert r.body["status"] == "running" and r.body["cancel_requested"] is True, r.body
    asked = time.monotonic()

    job = stack.poll_job(job_id, until=("cancelled",), timeout=5, interval=0.1)
    assert time.monotonic() - asked <= 5
    assert job["finished_at"]
    wait_until(lambda: not any(p in stack.worker_pids() for p in pids), timeout=5, what="the worker to exit")

    # It stays cancelled: nothing rescues or finishes it afterwards.
    processed = job["processed_objects"]
    time.sleep(1.5)
    job = stack.job(job_id)
    assert job["status"] == "cancelled"
    assert job["processed_objects"] == processed

    docs = stack.api("GET", f"/api/repositories/{repo_id}/docs")
    assert docs.body["status"] == "failed"
    # The repository is free for a new job.
    stack.generate(repo_id)


def test_a_queued_job_is_cancelled_at_once(no_dispatcher: Stack, git_repo) -> None:
    stack = no_dispatcher
    repo_id = stack.add_repository(git_repo())
    r = stack.api("POST", "/api/documentation/jobs", {"repository_id": repo_id, "options": {}})
    assert r.status == 202, r.body
    assert r.body["status"] == "queued"
    job_id = r.body["id"]

    health = stack.api("GET", "/api/health", token=None).body
    assert health["queue_depth"] >= 1, health
    assert health["oldest_queued_age_seconds"] is not None, health

    r = stack.api("DELETE", f"/api/documentation/jobs/{job_id}")
    assert r.status == 200, r.body
    assert r.body["status"] == "cancelled", r.body
    assert r.body["finished_at"]


def test_cron_dispatch_runs_queued_jobs(no_dispatcher: Stack, git_repo) -> None:
    """Where scribe-fcgi may not fork workers, `scribe dispatch` from cron runs the queue."""
    stack = no_dispatcher
    repo_id = stack.add_repository(git_repo())
    job_id = stack.generate(repo_id)
    time.sleep(0.5)
    assert stack.job(job_id)["status"] == "queued", "SCRIBE_DISPATCHER=0 claims nothing"

    stack.cli("dispatch", timeout=120)
    job = stack.job(job_id)
    assert job["status"] == "completed", job


def test_pause_then_resume_does_not_redo_finished_modules(slow_worker: Stack, git_repo) -> None:
    stack = slow_worker
    repo_id = stack.add_repository(git_repo(modules={m: None for m in SLOW_MODULES}))
    job_id = stack.generate(repo_id)
    stack.poll_job(job_id, until=running_with_objects_done(2), timeout=60)

    r = stack.api("POST", f"/api/documentation/jobs/{job_id}/pause")
    assert r.status == 200, r.body
    paused = stack.poll_job(job_id, until=("paused",), timeout=10)
    wait_until(lambda: not stack.worker_pids(job_id), timeout=5, what="the worker to stop on pause")

    objects = stack.api("GET", f"/api/documentation/jobs/{job_id}/objects").body["objects"]
    done_before = {o["path"]: o for o in objects if o["status"] == "done"}
    assert len(done_before) >= 2, objects
    assert len(done_before) < len(SLOW_MODULES), "the job ended before the pause took effect"

    # Paused means nothing moves, and the repository still counts as generating.
    time.sleep(1.5)
    still = stack.job(job_id)
    assert still["status"] == "paused"
    assert still["processed_objects"] == paused["processed_objects"]
    assert stack.api("GET", f"/api/repositories/{repo_id}/docs").body["status"] == "generating"
    conflict = stack.api("POST", "/api/generate-docs", {"repository_id": repo_id})
    assert conflict.status == 409, conflict.body

    r = stack.api("POST", f"/api/documentation/jobs/{job_id}/resume")
    assert r.status == 200, r.body
    job = stack.poll_job(job_id, timeout=60)
    assert job["processed_objects"] == len(SLOW_MODULES)

    objects = stack.api("GET", f"/api/documentation/jobs/{job_id}/objects").body["objects"]
    after = {o["path"]: o for o in objects}
    assert all(o["status"] == "done" for o in objects), objects
    for path, before in done_before.items():
        for key in ("started_at", "finished_at", "attempt"):
            assert after[path][key] == before[key], f"{path} was generated again ({key} changed)"
    generated = Counter(
        e["object"] for e in stack.api("GET", f"/api/documentation/jobs/{job_id}/events?after=0&limit=1000").body["events"]
        if e["kind"] == "object" and e.get("status") == "done"
    )
    assert all(n == 1 for n in generated.values()), generated


def test_pause_and_resume_are_refused_where_they_do_not_apply(stack: Stack, documented: dict) -> None:
    job_id = documented["job_id"]
    for action in ("pause", "resume"):
        r = stack.api("POST", f"/api/documentation/jobs/{job_id}/{action}")
        assert r.status == 409, (action, r.status, r.body)
        assert isinstance(r.body, dict) and r.body.get("error"), r.body
    assert stack.job(job_id)["status"] == "completed"


# --- failures of the repository ----------------------------------------------------------------------


def test_a_missing_repository_fails_the_job_then_retry_completes(stack: Stack, tmp_path) -> None:
    repo = make_git_repo(tmp_path, name="vanishing")
    repo_id = stack.add_repository(repo)
    moved = tmp_path / "moved-away"
    shutil.move(str(repo), str(moved))

    job_id = stack.generate(repo_id)
    job = stack.poll_job(job_id, until=("failed",), timeout=30)
    assert job["error_message"].startswith("Repository not found: "), job["error_message"]
    assert job["attempt"] == 1, "a missing repository is fatal: no retry"
    assert job["finished_at"]
    docs = stack.api("GET", f"/api/repositories/{repo_id}/docs").body
    assert docs["status"] == "failed"
    assert docs["error_message"] == job["error_message"]

    # Put it back, and retry the same job.
    shutil.move(str(moved), str(repo))
    r = stack.api("POST", f"/api/documentation/jobs/{job_id}/retry")
    assert r.status == 200, r.body
    assert r.body["status"] == "queued" and r.body["attempt"] == 0, r.body
    job = stack.poll_job(job_id, timeout=60)
    assert job["status"] == "completed"
    assert any(e["message"].startswith("Repository not found: ") for e in job["error_log"]), job["error_log"]


def test_a_file_url_that_does_not_exist_fails_with_repository_not_found(stack: Stack) -> None:
    url = "file:///nonexistent/scribe-e2e-repository"
    r = stack.api("POST", "/api/repositories", {"url": url})
    # Local repositories are allowed on the test stack (SCRIBE_ALLOW_LOCAL_REPOS=1): registration does
    # not look at the disk, the job does; a file:// URL is kept as its path.
    assert r.status == 201, r.body
    assert r.body["url"] == "/nonexistent/scribe-e2e-repository", r.body
    job_id = stack.generate(r.body["id"])
    job = stack.poll_job(job_id, until=("failed",), timeout=30)
    # The message names the repository as Scribe keeps it (file:// URLs are kept as paths).
    assert job["error_message"] == f"Repository not found: {r.body['url']}", job["error_message"]
    assert job["attempt"] == 1


def test_an_empty_repository_fails_with_its_message(stack: Stack, tmp_path) -> None:
    import subprocess

    repo = tmp_path / "empty"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    repo_id = stack.add_repository(repo)
    job = stack.poll_job(stack.generate(repo_id), until=("failed",), timeout=30)
    assert job["error_message"] == "Repository appears to be empty or inaccessible", job["error_message"]


# --- one active job per repository ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, body_of",
    [
        ("/api/generate-docs", lambda repo_id: {"repository_id": repo_id}),
        ("/api/documentation/jobs", lambda repo_id: {"repository_id": repo_id, "options": {}}),
    ],
    ids=["generate-docs", "documentation-jobs"],
)
def test_fifty_parallel_requests_start_exactly_one_job(slow_worker: Stack, git_repo, path, body_of) -> None:
    stack = slow_worker
    repo_id = stack.add_repository(git_repo(modules={m: None for m in MODULES}))
    barrier = threading.Barrier(50)
    answers: list = [None] * 50

    def ask(i: int) -> None:
        barrier.wait(timeout=30)
        answers[i] = stack.api("POST", path, body_of(repo_id), timeout=60)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    assert all(a is not None for a in answers), "a request did not come back"

    statuses = Counter(a.status for a in answers)
    assert statuses == Counter({202: 1, 409: 49}), statuses
    for a in answers:
        if a.status == 409:
            assert a.body["error"] == IN_PROGRESS, a.body
            assert a.body["repository_id"] == repo_id
            assert a.body["status"] == "generating"

    jobs = stack.api("GET", f"/api/documentation/jobs?repository_id={repo_id}").body["jobs"]
    assert len(jobs) == 1, [j["id"] for j in jobs]
