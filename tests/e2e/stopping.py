"""Cancel and pause measured end to end: the bound, the production timing, and the processes of a job."""

from __future__ import annotations

import os
import time
from pathlib import Path

from harness import Stack, wait_until

PRODUCTION_TIMING = {"SCRIBE_HEARTBEAT_SECONDS": "5", "SCRIBE_LEASE_SECONDS": "30"}
BOUND_SECONDS = 2.0

# What each request ends in.
FINAL = {"cancel": "cancelled", "pause": "paused"}


def processes_of(stack: Stack, job_id: str) -> list[tuple[int, str]]:
    """Live processes working for the job: its worker, and any process whose argv or working folder
    names the job's work folder (git, ctags, scribe-swift-symbols run in or on the clone)."""
    marker = f"/jobs/{job_id}"
    found = [(pid, "scribe-worker") for pid in stack.worker_pids(job_id)]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            argv = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            try:
                cwd = os.readlink(entry / "cwd")
            except OSError:
                cwd = ""
        except OSError:
            continue
        if state != "Z" and (marker in argv or marker in cwd):
            found.append((int(entry.name), argv[:120]))
    return found


def tool_running(stack: Stack, job_id: str, name: str) -> bool:
    return any(name in argv for _, argv in processes_of(stack, job_id))


def request(stack: Stack, job_id: str, action: str) -> float:
    """Sends cancel or pause; returns the monotonic time the API answered."""
    if action == "cancel":
        r = stack.api("DELETE", f"/api/documentation/jobs/{job_id}")
    else:
        r = stack.api("POST", f"/api/documentation/jobs/{job_id}/pause")
    assert r.status == 200, r.body
    return time.monotonic()


def assert_stops_in_time(stack: Stack, job_id: str, action: str) -> dict:
    asked = request(stack, job_id, action)
    job = stack.poll_job(job_id, until=(FINAL[action],), timeout=15, interval=0.05)
    took = time.monotonic() - asked
    assert took < BOUND_SECONDS, f"{action} took {took:.2f} s (bound {BOUND_SECONDS} s)"
    # The worker exits right after its final write; nothing it started outlives it.
    wait_until(lambda: not processes_of(stack, job_id), timeout=BOUND_SECONDS, interval=0.05,
               what=f"no process left for job {job_id}: {processes_of(stack, job_id)}")
    return job
