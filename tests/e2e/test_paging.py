"""Lists paged by a key, their cursors and filters, and the poll answered from memory.

An organisation of its own holds a few hundred repositories and jobs made with plain SQL, so that
paging is exercised without touching the other tests' organisations.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest

from harness import Stack, wait_until

REPOS = 250
JOBS = 130


@pytest.fixture(scope="module")
def crowd(stack: Stack) -> dict:
    token = stack.cli("user", "create", "--org", "paging", "--email", "paging@example.test", "--admin").stdout.strip()
    # Half the repositories share one created_at, so only the id can order them: a cursor on the time
    # alone would skip or repeat some.
    stack.psql(
        f"""
        INSERT INTO repositories (organisation_id, url, name, created_at)
        SELECT o.id, 'https://github.com/crowd/' || CASE WHEN i % 10 = 0 THEN 'Alpha-' ELSE 'beta-' END || i,
               CASE WHEN i % 10 = 0 THEN 'Alpha-' ELSE 'beta-' END || i,
               CASE WHEN i % 2 = 0 THEN timestamptz '2026-01-01 00:00:00+00' ELSE timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second' END
        FROM organisations o, generate_series(1, {REPOS}) i WHERE o.name = 'paging';
        INSERT INTO jobs (organisation_id, repository_id, status, progress, created_at, started_at, finished_at, error_message)
        SELECT r.organisation_id, r.id, CASE WHEN i % 3 = 0 THEN 'failed' ELSE 'completed' END, 100,
               timestamptz '2026-02-01 00:00:00+00' + (i / 2) * interval '1 minute', now(), now(),
               CASE WHEN i % 3 = 0 THEN 'boom' END
        FROM generate_series(1, {JOBS}) i
        JOIN LATERAL (SELECT id, organisation_id FROM repositories
                      WHERE organisation_id = (SELECT id FROM organisations WHERE name = 'paging')
                      ORDER BY created_at, id LIMIT 1) r ON true;
        """
    )
    return {"token": token}


def walk(stack: Stack, token: str, path: str, key: str, cursor_param: str) -> list[list[dict]]:
    pages: list[list[dict]] = []
    url = path
    while True:
        r = stack.api("GET", url, token=token)
        assert r.status == 200, r.body
        pages.append(r.body[key])
        nxt = r.body["next"]
        if nxt is None:
            return pages
        assert isinstance(nxt, str) and nxt, nxt
        sep = "&" if "?" in path else "?"
        url = f"{path}{sep}{cursor_param}={quote(nxt)}"
        assert len(pages) < 50, "paging does not end"


def test_repositories_come_in_pages_in_order_without_repeats(stack: Stack, crowd: dict) -> None:
    pages = walk(stack, crowd["token"], "/api/repositories?limit=100", "repositories", "after")
    assert [len(p) for p in pages] == [100, 100, 50]
    repos = [r for p in pages for r in p]
    assert len({r["id"] for r in repos}) == REPOS
    keys = [(r["created_at"], r["id"]) for r in repos]
    assert keys == sorted(keys)


def test_repositories_default_to_a_bounded_page(stack: Stack, crowd: dict) -> None:
    r = stack.api("GET", "/api/repositories", token=crowd["token"])
    assert r.status == 200
    assert len(r.body["repositories"]) == 100
    assert r.body["next"]


def test_repository_search_matches_name_and_url_prefixes_case_insensitively(stack: Stack, crowd: dict) -> None:
    token = crowd["token"]
    by_name = walk(stack, token, "/api/repositories?q=alpha&limit=10", "repositories", "after")
    names = [r["name"] for p in by_name for r in p]
    assert len(names) == REPOS // 10 and all(n.startswith("Alpha-") for n in names)
    by_url = stack.api("GET", "/api/repositories?q=" + quote("https://github.com/crowd/beta-1"), token=token).body
    assert by_url["repositories"] and all(r["url"].startswith("https://github.com/crowd/beta-1") for r in by_url["repositories"])
    without_scheme = stack.api("GET", "/api/repositories?q=github.com/crowd/Alpha-10", token=token).body["repositories"]
    assert {r["name"] for r in without_scheme} == {"Alpha-10", "Alpha-100"}
    # LIKE's wildcards are plain characters here.
    assert stack.api("GET", "/api/repositories?q=%25", token=token).body["repositories"] == []
    assert stack.api("GET", "/api/repositories?q=_eta", token=token).body["repositories"] == []


def test_jobs_come_in_pages_newest_first_and_the_old_cursor_still_works(stack: Stack, crowd: dict) -> None:
    token = crowd["token"]
    pages = walk(stack, token, "/api/documentation/jobs?limit=50", "jobs", "before")
    assert [len(p) for p in pages] == [50, 50, 30]
    jobs = [j for p in pages for j in p]
    assert len({j["id"] for j in jobs}) == JOBS
    keys = [(j["created_at"], j["id"]) for j in jobs]
    assert keys == sorted(keys, reverse=True)

    # A client of the first version passes a timestamp back as `before`.
    first = stack.api("GET", "/api/documentation/jobs?limit=50", token=token).body
    assert first["next_before"] == first["next"]
    old = stack.api("GET", f"/api/documentation/jobs?limit=50&before={quote(jobs[49]['created_at'])}", token=token)
    assert old.status == 200
    assert all(j["created_at"] < jobs[49]["created_at"] for j in old.body["jobs"])

    failed = walk(stack, token, "/api/documentation/jobs?status=failed&limit=20", "jobs", "before")
    assert sum(len(p) for p in failed) == JOBS // 3
    assert all(j["status"] == "failed" for p in failed for j in p)


@pytest.mark.parametrize(
    "path",
    [
        "/api/repositories?after=garbage!",
        "/api/repositories?after=" + base64.urlsafe_b64encode(b'["r","yesterday","x"]').decode().rstrip("="),
        "/api/repositories?limit=0",
        "/api/repositories?limit=201",
        "/api/documentation/jobs?before=bm90IGpzb24",
        "/api/documentation/jobs?limit=abc",
        "/api/repositories?q=" + "x" * 201,
    ],
)
def test_a_malformed_cursor_or_limit_is_400_json(stack: Stack, crowd: dict, path: str) -> None:
    r = stack.api("GET", path, token=crowd["token"])
    assert r.status == 400, r.body
    assert isinstance(r.body, dict) and r.body["error"]


def test_a_cursor_of_another_list_is_400(stack: Stack, crowd: dict) -> None:
    token = crowd["token"]
    job_cursor = stack.api("GET", "/api/documentation/jobs?limit=1", token=token).body["next"]
    r = stack.api("GET", f"/api/repositories?after={quote(job_cursor)}", token=token)
    assert r.status == 400, r.body
    decoded = json.loads(base64.urlsafe_b64decode(job_cursor + "=" * (-len(job_cursor) % 4)))
    assert decoded[0] == "j"


def test_another_organisation_sees_none_of_the_crowd(stack: Stack, crowd: dict) -> None:
    r = stack.api("GET", "/api/repositories?q=alpha&limit=200")
    assert r.status == 200
    assert not any(x["url"].startswith("https://github.com/crowd/") for x in r.body["repositories"])


# --- the poll from memory ---------------------------------------------------------------------------


def test_a_poll_after_an_update_returns_the_new_state(stack: Stack, crowd: dict) -> None:
    token = crowd["token"]
    job = stack.api("GET", "/api/documentation/jobs?status=failed&limit=1", token=token).body["jobs"][0]
    path = f"/api/documentation/jobs/{job['id']}"
    first = stack.api("GET", path, token=token)
    second = stack.api("GET", path, token=token)  # served from memory once the first one was rendered
    assert first.status == second.status == 200
    assert first.body == second.body and first.headers["ETag"] == second.headers["ETag"]

    # A change made behind the API's back (as a worker makes it) reaches the next polls through NOTIFY.
    stack.psql(f"UPDATE jobs SET current_step = 'Changed by hand', processed_objects = 7 WHERE id = '{job['id']}'")
    changed = wait_until(
        lambda: (lambda r: r if r.body.get("processed_objects") == 7 else None)(stack.api("GET", path, token=token)),
        timeout=5, interval=0.05, what="the poll to show the change")
    assert changed.body["current_step"] == "Changed by hand"
    assert changed.headers["ETag"] != first.headers["ETag"]
    for _ in range(5):  # and never the old copy again
        assert stack.api("GET", path, token=token).body["processed_objects"] == 7

    # A change through the API is seen by the very next poll, without waiting for the NOTIFY.
    retried = stack.api("POST", f"{path}/retry", token=token)
    assert retried.status == 200, retried.body
    after = stack.api("GET", path, token=token)
    assert after.body["status"] != "failed"
    # The dispatcher may have claimed it since: never an older version than the retry's answer.
    version = lambda r: int(r.headers["ETag"].strip('"').rsplit("-", 1)[1])  # noqa: E731
    assert version(after) >= version(retried)
    stack.api("DELETE", path, token=token)


def test_a_poll_from_memory_is_still_scoped_to_the_organisation(stack: Stack, crowd: dict) -> None:
    job = stack.api("GET", "/api/documentation/jobs?limit=1", token=crowd["token"]).body["jobs"][0]
    path = f"/api/documentation/jobs/{job['id']}"
    assert stack.api("GET", path, token=crowd["token"]).status == 200
    assert stack.api("GET", path).status == 404
    assert stack.api("GET", path, token=None).status == 401
