"""Two hosts on one PostgreSQL (SPEC §8): every page is served by every host.

Host A is the session's stack; host B is a second scribe-fcgi with its own data folder, socket,
nginx and host id against the same database. Nothing is shared between them but PostgreSQL:
a page written by one host's worker must be served by the other, a cache hit must work whoever
ran the first job, a host killed with its workers must have its jobs finished by the other, and
retention must keep exactly the promised versions on both.
"""

from __future__ import annotations

import hashlib
import os
import signal
import time
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

import pytest

from gitrepos import make_git_repo
from harness import REPO_ROOT, Stack, wait_until

HOST_A, HOST_B = "host-a", "host-b"


class Hosts:
    def __init__(self, a: Stack, b: Stack) -> None:
        self.a, self.b = a, b

    def restart(self, host: Stack, **env: str) -> None:
        host.restart_fcgi(SCRIBE_HOST_ID=HOST_A if host is self.a else HOST_B, **env)

    def get(self, host: Stack, path: str, **kwargs) -> tuple[int, dict, bytes]:
        """A GET through a host's nginx, with the raw body (pages are compared byte for byte)."""
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", host.port, timeout=15)
        try:
            headers = {"Authorization": f"Bearer {self.a.token}", **kwargs.get("headers", {})}
            conn.request("GET", path, headers=headers)
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()


@pytest.fixture(scope="module")
def hosts(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hosts]:
    stack.cancel_active_jobs()
    b = Stack(stack.bin_dir, tmp_path_factory.mktemp("host-b"), stack.server_url)
    # The same database and keys: host B is another machine of the same installation.
    b.db_name, b.database_url, b.secret_key = stack.db_name, stack.database_url, stack.secret_key
    b.token, b.other_token = stack.token, stack.other_token
    for folder in (b.data_dir, b.socket.parent, b.fcgi_log.parent):
        folder.mkdir(parents=True, exist_ok=True)
    h = Hosts(stack, b)
    h.restart(stack)
    b.start_fcgi(SCRIBE_HOST_ID=HOST_B)
    b._start_nginx()
    b.wait_healthy()
    try:
        yield h
    finally:
        stack.cancel_active_jobs()
        b.stop_fcgi()
        for pid in b.worker_pids():
            if str(b.data_dir).encode() in Path(f"/proc/{pid}/environ").read_bytes():
                os.kill(pid, signal.SIGKILL)
        os.system(f"{REPO_ROOT / 'scripts' / 'nginx.sh'} stop {b.nginx_prefix}")
        stack.restart_fcgi()


def pages_match_on_both(h: Hosts, repo_id: str) -> dict[str, str]:
    """Every page of the repository through both hosts: the same bytes, the same ETag (their SHA-256)."""
    listing = h.a.api("GET", f"/api/repositories/{repo_id}/pages")
    assert listing.status == 200, listing.body
    tags = {}
    for page in listing.body["pages"]:
        path = f"/api/repositories/{repo_id}/pages/{quote(page['path'])}"
        answers = [h.get(host, path) for host in (h.a, h.b)]
        for status, headers, body in answers:
            assert status == 200, (page["path"], status, body[:200])
            assert headers["etag"] == f'"{hashlib.sha256(body).hexdigest()}"', (page["path"], headers)
            assert "x-accel-redirect" not in headers
        assert answers[0][2] == answers[1][2], page["path"]
        tags[page["path"]] = answers[0][1]["etag"]
    return tags


def cache_file(host: Stack, etag: str) -> Path:
    digest = etag.strip('"')
    return host.data_dir / "docs" / "cache" / digest[:2] / digest


def test_jobs_through_either_host_are_served_by_both(hosts: Hosts, tmp_path: Path) -> None:
    h = hosts
    for host in (h.a, h.b):
        h.restart(host, SCRIBE_MAX_WORKERS="2", SCRIBE_WORKER_OBJECT_DELAY_MS="200")
    repos, jobs = [], []
    for i in range(8):
        host = h.a if i % 2 == 0 else h.b
        repo_id = host.add_repository(make_git_repo(tmp_path, name=f"r{i}"))
        repos.append(repo_id)
        jobs.append(host.generate(repo_id))
    done = [h.a.poll_job(j, timeout=120) for j in jobs]
    assert {j["worker_host"] for j in done} == {HOST_A, HOST_B}, [j["worker_host"] for j in done]
    for repo_id, job in zip(repos, done):
        writer = h.a if job["worker_host"] == HOST_A else h.b
        other = h.b if writer is h.a else h.a
        index = f"/api/repositories/{repo_id}/pages/index.md"
        # The host that did not run the job has never seen its pages: its first read fills its cache.
        status, headers, body = h.get(other, index)
        assert status == 200 and body.startswith(b"#"), (status, body[:100])
        assert cache_file(other, headers["etag"]).read_bytes() == body
        pages_match_on_both(h, repo_id)
    health = [host.api("GET", "/api/health", token=None).body for host in (h.a, h.b)]
    assert [x["host"] for x in health] == [HOST_A, HOST_B], health
    assert all("workers_by_host" in x for x in health), health


def test_a_cache_hit_is_served_when_the_first_job_ran_on_the_other_host(hosts: Hosts, tmp_path: Path) -> None:
    h = hosts
    h.restart(h.b, SCRIBE_DISPATCHER="0")
    h.restart(h.a)
    repo_id = h.b.add_repository(make_git_repo(tmp_path))
    first = h.a.poll_job(h.b.generate(repo_id), timeout=60)
    assert first["worker_host"] == HOST_A and not first["cache_hit"], first
    before = pages_match_on_both(h, repo_id)

    h.restart(h.a, SCRIBE_DISPATCHER="0")
    h.restart(h.b)
    second = h.b.poll_job(h.a.generate(repo_id), timeout=60)
    assert second["worker_host"] == HOST_B and second["cache_hit"], second
    assert pages_match_on_both(h, repo_id) == before
    h.restart(h.a)


def test_a_host_killed_mid_job_has_its_jobs_finished_by_the_other(hosts: Hosts, tmp_path: Path) -> None:
    h = hosts
    h.restart(h.b, SCRIBE_DISPATCHER="0")
    h.restart(h.a, SCRIBE_WORKER_OBJECT_DELAY_MS="400")
    modules = {f"m{i}": None for i in range(8)}
    repo_id = h.b.add_repository(make_git_repo(tmp_path, modules=modules))
    job_id = h.b.generate(repo_id)
    h.a.poll_job(job_id, until=lambda j: j["status"] == "running" and j["processed_objects"] >= 2, timeout=60)
    workers = h.a.worker_pids(job_id)
    assert workers, "host A runs the job"
    # kill -9 of host A's scribe-fcgi and its workers: nothing of host A writes again.
    fcgi, h.a.fcgi = h.a.fcgi, None
    for pid in [fcgi.pid, *workers]:
        os.kill(pid, signal.SIGKILL)
    fcgi.wait(timeout=10)
    wait_until(lambda: not h.a.worker_pids(job_id), timeout=10, what="host A's worker to die")
    killed_at = time.monotonic()

    h.restart(h.b)
    done = h.b.poll_job(job_id, timeout=90)
    assert done["worker_host"] == HOST_B and done["attempt"] == 2, done
    # Host B judged host A's worker by its lease only: a pid on another host means nothing here.
    assert [e["message"] for e in done["error_log"]] == ["The worker stopped sending heartbeats"], done["error_log"]
    assert time.monotonic() - killed_at >= 4, "rescued before the lease expired"
    events = h.b.api("GET", f"/api/documentation/jobs/{job_id}/events?limit=1000").body["events"]
    assert sorted({e["attempt"] for e in events}) == [1, 2], events
    assert sum(e["message"].startswith("Step 9") or e["message"] == "Completed" for e in events if e["attempt"] == 1) == 0

    h.a.start_fcgi(SCRIBE_HOST_ID=HOST_A)
    h.a.wait_healthy()
    pages_match_on_both(h, repo_id)


def test_retention_keeps_exactly_the_promised_versions(hosts: Hosts, tmp_path: Path) -> None:
    h = hosts
    h.restart(h.a)
    h.restart(h.b, SCRIBE_GC_SECONDS="1")
    repo_id = h.a.add_repository(make_git_repo(tmp_path))
    jobs = []
    for _ in range(4):
        r = h.a.api("POST", "/api/documentation/jobs", {"repository_id": repo_id, "options": {"regenerate_all": True}})
        assert r.status == 202, r.body
        jobs.append(h.a.poll_job(r.body["id"], timeout=60))
        time.sleep(1.1)  # index.json says when it was generated, to the second: each version's differs

    def show(job: dict) -> str:
        """Points the repository at a version and reads its index.json through both hosts (filling their caches)."""
        h.a.psql(f"UPDATE repositories SET docs_job_id = '{job['id']}' WHERE id = '{repo_id}'")
        tags = {h.get(host, f"/api/repositories/{repo_id}/pages/index.json")[1]["etag"] for host in (h.a, h.b)}
        assert len(tags) == 1, tags
        return tags.pop()

    second = show(jobs[1])
    assert cache_file(h.a, second).is_file() and cache_file(h.b, second).is_file()
    # The repository points at its oldest version (put back by hand): it is kept whatever its age.
    show(jobs[0])

    out = h.a.cli("gc", env={"SCRIBE_KEEP_VERSIONS": "2"}).stdout
    assert "removed the pages of 1 job(s)" in out, out
    kept = {j["id"]: h.a.pages_of(j["id"], required=False) is not None for j in jobs}
    assert kept == {jobs[0]["id"]: True, jobs[1]["id"]: False, jobs[2]["id"]: True, jobs[3]["id"]: True}, kept
    assert h.a.job(jobs[1]["id"])["docs_path"] is None
    # `scribe gc` cleans its own host's cache; the other host's dispatcher cleans its own.
    assert not cache_file(h.a, second).exists()
    wait_until(lambda: not cache_file(h.b, second).exists(), timeout=15, what="host B to drop the removed page")
    pages_match_on_both(h, repo_id)
    assert "removed the pages of 0 job(s)" in h.a.cli("gc", env={"SCRIBE_KEEP_VERSIONS": "2"}).stdout


def test_pages_of_an_earlier_release_are_served_then_imported(hosts: Hosts, tmp_path: Path) -> None:
    """An installation upgraded from pages on disk: its pages keep being served, then move into the database."""
    h = hosts
    h.restart(h.a)
    repo_id = h.a.add_repository(make_git_repo(tmp_path))
    job = h.a.poll_job(h.a.generate(repo_id), timeout=60)
    stored = h.a.pages_of(job["id"])
    # What migration 7 leaves of an earlier release's job: its index without hashes, its pages in its folder.
    folder = h.a.data_dir / "docs" / job["docs_path"]
    for page in stored.rglob("*"):
        if page.is_file():
            (folder / page.relative_to(stored)).parent.mkdir(parents=True, exist_ok=True)
            (folder / page.relative_to(stored)).write_bytes(page.read_bytes())
    h.a.psql(f"UPDATE doc_pages SET content_hash = NULL, size = NULL WHERE job_id = '{job['id']}'")
    h.a.psql("DELETE FROM page_contents c WHERE NOT EXISTS (SELECT 1 FROM doc_pages p WHERE p.content_hash = c.hash)")

    status, headers, body = h.get(h.a, f"/api/repositories/{repo_id}/pages/index.md")
    assert status == 200 and body == (stored / "index.md").read_bytes(), status
    assert headers["etag"] == f'"{job["id"]}"', headers
    h.a.cli("gc")
    assert (folder / "index.md").is_file(), "scribe gc keeps a folder whose pages are not imported"

    out = h.a.cli("pages", "import").stdout
    assert out.startswith("imported ") and " 0 page(s)" not in out, out
    assert h.a.psql(f"SELECT count(*) FROM doc_pages WHERE job_id = '{job['id']}' AND content_hash IS NULL") == "0"
    tags = pages_match_on_both(h, repo_id)
    assert tags["index.md"] == f'"{hashlib.sha256((stored / "index.md").read_bytes()).hexdigest()}"'
    assert "imported 0 page(s)" in h.a.cli("pages", "import").stdout
    h.a.cli("gc")
    assert not folder.exists(), "scribe gc removes an imported folder"
