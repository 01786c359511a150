"""Cancel and pause take effect within 2 s at every step, and leave no process behind.

scribe-fcgi runs here with the production heartbeat and lease (5 s and 30 s), so a request
that arrives within 2 s was carried by the worker's LISTEN connection, not by a heartbeat
that happened to come soon. Each test catches the job while a tool of that step is running
(git for the clone, scribe-swift-symbols for the analysis), then measures from the API's
answer to the job's final state, and checks that no process working for the job is left.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Iterator

import pytest

from gitrepos import head_commit, make_git_repo
from harness import Stack, wait_until
from stopping import PRODUCTION_TIMING, assert_stops_in_time, tool_running

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from standins.git_http import GitHTTPServer  # noqa: E402

def swift_tree(modules: int = 6, files: int = 30, functions: int = 30) -> dict[str, dict[str, str] | None]:
    """Swift modules big enough that scribe-swift-symbols runs for seconds (a debug build reads ~1 file per 10 ms)."""
    tree: dict[str, dict[str, str] | None] = {}
    for m in range(modules):
        sources = {}
        for f in range(files):
            sources[f"File{f}.swift"] = "".join(
                f"/// Function {k} of file {f}.\n"
                f"public func m{m}f{f}n{k}(value: Int, other: String) -> Int {{\n"
                f"    let x = value * {k}\n    return x + other.count\n}}\n\n"
                for k in range(functions)
            )
        tree[f"Sources/Mod{m}"] = sources
    return tree


@pytest.fixture
def big_swift_repo(tmp_path: Path) -> Path:
    return make_git_repo(tmp_path, modules=swift_tree(), name="big")


@pytest.mark.parametrize("action", ["cancel", "pause"])
def test_during_analysis(production_timing: Stack, big_swift_repo: Path, action: str) -> None:
    stack = production_timing
    repo_id = stack.add_repository(big_swift_repo)
    job_id = stack.generate(repo_id)
    stack.poll_job(job_id, until=lambda j: j["status"] == "running" and j["progress"] >= 50, timeout=60, interval=0.05)
    wait_until(lambda: tool_running(stack, job_id, "scribe-swift-symbols"), timeout=20, interval=0.05,
               what="scribe-swift-symbols running for the job")
    job = assert_stops_in_time(stack, job_id, action)
    assert job["current_step"].startswith("Analyzing") or job["progress"] == 50, job
    if action == "pause":
        # The resume runs the analysis again from the start and finishes the job.
        r = stack.api("POST", f"/api/documentation/jobs/{job_id}/resume")
        assert r.status == 200, r.body
        done = stack.poll_job(job_id, until=("completed",), timeout=240, interval=0.5)
        assert done["processed_objects"] == 6 and done["failed_objects"] == 0, done


@pytest.fixture
def slow_git_server(production_timing: Stack, tmp_path: Path) -> Iterator[tuple[Stack, GitHTTPServer]]:
    server = GitHTTPServer(tmp_path / "git-http", token=None).start()
    host = f"127.0.0.1:{server.port}"
    production_timing.restart_fcgi(**PRODUCTION_TIMING, SCRIBE_ALLOWED_HOSTS=f"github.com,http://{host}")
    try:
        yield production_timing, server
    finally:
        server.delay = 0
        production_timing.cancel_active_jobs()
        server.stop()


@pytest.mark.parametrize("action", ["cancel", "pause"])
def test_during_clone(slow_git_server: tuple[Stack, GitHTTPServer], tmp_path: Path, action: str) -> None:
    stack, server = slow_git_server
    source = make_git_repo(tmp_path / "src", name="slowclone")
    server.create_repository("acme/slowclone", source=source)
    repo_id = stack.add_repository(server.url("acme/slowclone"))
    # The commit is given, so the worker goes straight to the clone, which waits on the server.
    server.delay = 30
    r = stack.api("POST", "/api/documentation/jobs", {"repository_id": repo_id, "options": {"commit": head_commit(source)}})
    assert r.status == 202, r.body
    job_id = r.body["id"]
    stack.poll_job(job_id, until=lambda j: j["status"] == "running" and j["progress"] >= 40, timeout=30, interval=0.05)
    wait_until(lambda: tool_running(stack, job_id, "git"), timeout=10, interval=0.05, what="git cloning for the job")
    assert_stops_in_time(stack, job_id, action)


def test_progress_moves_during_analysis(stack: Stack, big_swift_repo: Path) -> None:
    """Files read of files to read, declarations and an estimate while the analysis runs: the percentage
    moves inside 50–54, never back, and never stands still for 5 s while the analysis works."""
    repo_id = stack.add_repository(big_swift_repo)
    job_id = stack.generate(repo_id)
    history: list = []
    stack.poll_job(job_id, timeout=240, interval=0.2, history=history)
    during = [(t, j) for t, j in history if (j["current_step"] or "").startswith("Analyzing")]
    assert len(during) >= 5, f"the analysis was seen {len(during)} times"

    counted = []
    for t, j in during:
        m = re.search(r"(\d+) of (\d+) files read, (\d+) declarations", j["current_step"])
        if m:
            counted.append((t, j["progress"], int(m.group(1)), int(m.group(2)), int(m.group(3)), j))
    assert len({c[2] for c in counted}) >= 3, [j["current_step"] for _, j in during]
    files_to_read = {c[3] for c in counted}
    assert files_to_read == {181}, files_to_read  # 180 Swift files and the README
    for a, b in zip(counted, counted[1:]):
        assert b[1] >= a[1] and b[2] >= a[2] and b[4] >= a[4], "progress went back during the analysis"
    assert all(50 <= c[1] < 55 for c in counted), [c[1] for c in counted]
    assert counted[-1][1] > counted[0][1], "the percentage moved"
    assert counted[-1][4] > 0, "declarations were counted"
    assert any(c[5]["estimated_completion_at"] for c in counted), "an estimate was given"

    # While it worked, nothing stood still for 5 s: the longest time between two different states seen.
    longest, since, last = 0.0, during[0][0], None
    for t, j in during:
        state = (j["progress"], j["current_step"])
        if state != last:
            longest, since, last = max(longest, t - since), t, state
    timeline = [(round(t - during[0][0], 1), j["progress"], j["current_step"]) for t, j in during]
    assert longest < 5, f"the analysis showed the same progress for {longest:.1f} s: {timeline}"

    done = stack.job(job_id)
    assert done["status"] == "completed" and done["progress"] == 100
