"""Seeded random trees of hostile names: any tree gives pages that are served, or a clear failure.

Every run draws a new seed (printed with any failure; set SCRIBE_TREE_SEED to replay it, and
SCRIBE_TREE_COUNT to change how many trees). All trees go through the real analysis and page writer
(`scribe generate` on each); a sample also runs as real jobs through nginx, scribe-fcgi and
scribe-worker, and every page they list is fetched.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from harness import Stack
from hostile_trees import PAGE_PART, commit_tree, fetch_all_pages, make_random_tree

SEED = int(os.environ.get("SCRIBE_TREE_SEED") or secrets.randbits(32))
TREES = int(os.environ.get("SCRIBE_TREE_COUNT") or 500)
JOB_SAMPLE = 20
EMPTY = "Repository appears to be empty or inaccessible"


def replay(i: int) -> str:
    return f"tree {i} of seed {SEED} (replay: SCRIBE_TREE_SEED={SEED} pytest tests/e2e/test_random_trees.py)"


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A secret outside every tree, which their links point at."""
    base = tmp_path_factory.mktemp("trees")
    value = "PLANTED" + secrets.token_hex(16)
    (base / "outside").mkdir()
    secret = base / "outside" / "secret.key"
    secret.write_text(f"{value}\nint {value}(void);\ndef {value}(): pass\n")
    return secret, value


def tree(base: Path, i: int, secret: Path, fifos: bool) -> Path:
    root = base / f"t{i}"
    make_random_tree(random.Random(f"{SEED}-{i}"), root, secret, fifos=fifos)
    return root


def check_generated(stack: Stack, base: Path, i: int, secret: Path, value: str) -> str | None:
    """Runs `scribe generate` on tree i; returns what is wrong, "empty" for the empty-repository
    failure, or the number of module pages as text."""
    root = tree(base, i, secret, fifos=True)
    out = base / f"o{i}"
    try:
        r = subprocess.run(
            [str(stack.bin_dir / "scribe"), "generate", str(root), "--out", str(out), "--json"],
            capture_output=True, timeout=120,
        )
        err = r.stderr.decode(errors="replace").strip()
        if r.returncode != 0:
            if r.returncode == 1 and err == f"scribe: {EMPTY}":
                return "empty"
            return f"exit {r.returncode}: {err[-600:]}"
        index = json.loads((out / "index.json").read_text())
        analysis = json.loads((out / "analysis.json").read_text())
        listed = {p["path"] for p in index["pages"]}
        for path in listed:
            if not all(PAGE_PART.match(part) for part in path.split("/")):
                return f"page path {path!r} does not fit the router's rule"
            if not (out / path).is_file():
                return f"page {path!r} is listed but not written"
            if any(len(part.encode()) > 240 for part in path.split("/")):
                return f"page name {path!r} is too long"
        pages = {o["path"]: o["page"] for o in index["objects"]}
        if set(pages) != {m["path"] for m in analysis["modules"]} and len(analysis["modules"]) > 1:
            return f"modules {sorted(pages)} against {[m['path'] for m in analysis['modules']]}"
        if len(set(pages.values())) != len(pages):
            return "two modules share a page"
        if not set(pages.values()) <= listed:
            return "a module's page is not listed"
        for f in out.rglob("*"):
            if f.is_file() and value.encode() in f.read_bytes():
                return f"the planted secret is in {f.name}"
        return str(len(pages))
    except Exception as e:  # a timeout or an unreadable output is a finding too
        return f"{type(e).__name__}: {e}"
    finally:
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)


def test_random_trees_through_the_analysis_and_page_writer(stack: Stack, planted: tuple[Path, str],
                                                           tmp_path: Path) -> None:
    secret, value = planted
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda i: (i, check_generated(stack, tmp_path, i, secret, value)), range(TREES)))
    problems = [f"{replay(i)}: {p}" for i, p in results if not (p == "empty" or p.isdigit())]
    assert not problems, f"{len(problems)} of {TREES} trees went wrong:\n" + "\n".join(problems[:20])
    # The trees must mostly be documentable, or the test would prove little.
    documented = [int(p) for _, p in results if p.isdigit()]
    print(f"seed {SEED}: {len(documented)} of {TREES} trees documented, {sum(documented)} module pages")
    assert len(documented) >= TREES * 0.7 and sum(documented) >= TREES, (SEED, len(documented), sum(documented))


def test_random_trees_as_real_jobs(stack: Stack, planted: tuple[Path, str], tmp_path: Path) -> None:
    secret, value = planted
    submitted = []
    for i in range(JOB_SAMPLE):
        root = tree(tmp_path, i, secret, fifos=False)  # git keeps no FIFOs
        commit_tree(root)
        repo_id = stack.add_repository(root)
        r = stack.api("POST", "/api/documentation/jobs", {"repository_id": repo_id})
        assert r.status == 202, (replay(i), r.body)
        submitted.append((i, repo_id, r.body["id"]))
    completed = 0
    for i, repo_id, job_id in submitted:
        job = stack.poll_job(job_id, until=("completed", "failed"), timeout=120, interval=0.1)
        if job["status"] == "failed":
            assert job["error_message"] == EMPTY, (replay(i), job["error_message"])
            continue
        assert job["failed_objects"] == 0, (replay(i), job)
        try:
            pages = fetch_all_pages(stack, repo_id)
        except AssertionError as e:
            raise AssertionError(f"{replay(i)}: {e}") from e
        for where, text in pages.items():
            assert value not in text, f"{replay(i)}: the planted secret is in {where}"
        completed += 1
    assert completed >= JOB_SAMPLE // 2, (SEED, completed)
