"""The API's answers to wrong requests, its isolation of organisations, and cheap polling."""

from __future__ import annotations

import json
import re
import uuid

import pytest

from gitrepos import make_git_repo
from harness import Stack

UNKNOWN = str(uuid.UUID(int=0x5C81BE))


@pytest.fixture(scope="module")
def owned(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """In the first organisation: a documented repository and a job that failed."""
    folder = tmp_path_factory.mktemp("owned")
    repo_id = stack.add_repository(make_git_repo(folder, name="kept"))
    job_id = stack.generate(repo_id)
    stack.poll_job(job_id, timeout=60)

    gone = make_git_repo(folder, name="gone")
    failing_repo_id = stack.add_repository(gone)
    (folder / "gone").rename(folder / "gone-away")
    failed_job_id = stack.generate(failing_repo_id)
    stack.poll_job(failed_job_id, until=("failed",), timeout=30)
    return {"repo_id": repo_id, "job_id": job_id, "failing_repo_id": failing_repo_id, "failed_job_id": failed_job_id}


def assert_json_error(r, status: int) -> None:
    assert r.status == status, (r.status, r.body)
    assert r.headers["Content-Type"].startswith("application/json"), r.headers["Content-Type"]
    assert isinstance(r.body, dict) and isinstance(r.body.get("error"), str) and r.body["error"], r.body
    # No stack trace, SQL, token or server path in any answer.
    text = json.dumps(r.body)
    for leak in ("SELECT ", "INSERT ", "UPDATE ", "SQLSTATE", "Traceback", "Fatal error", "/tmp/", "/work/", ".swift:"):
        assert leak not in text, (leak, text)


# --- health and identity --------------------------------------------------------------------------


def test_health_needs_no_token(stack: Stack) -> None:
    r = stack.api("GET", "/api/health", token=None)
    assert r.status == 200, r.body
    assert r.body["status"] == "ok"
    assert r.body["database"] == "ok"
    assert isinstance(r.body["workers_running"], int)
    assert isinstance(r.body["queue_depth"], int)
    assert "oldest_queued_age_seconds" in r.body


def test_me_names_the_user_and_organisation(stack: Stack) -> None:
    r = stack.api("GET", "/api/me")
    assert r.status == 200, r.body
    assert r.body["user"]["email"] == "admin@e2e.test"
    assert r.body["user"]["role"] == "admin"
    assert r.body["organisation"]["name"] == "e2e"
    other = stack.api("GET", "/api/me", token=stack.other_token)
    assert other.body["organisation"]["name"] == "e2e-other"


def test_metrics_are_prometheus_text(stack: Stack) -> None:
    r = stack.api("GET", "/api/metrics")
    assert r.status == 200, r.body
    assert r.headers["Content-Type"].startswith("text/plain")
    assert re.search(r"^# TYPE \w+ (counter|gauge|histogram|summary)$", r.body, re.M), r.body[:500]


# --- 400 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/generate-docs", "/api/documentation/jobs", "/api/repositories"])
@pytest.mark.parametrize("body", ["{not json", "", "[1, 2", '"just a string"', "[]"], ids=["broken", "empty", "truncated", "string", "array"])
def test_a_body_that_is_not_a_json_object_is_400(stack: Stack, path: str, body: str) -> None:
    assert_json_error(stack.api("POST", path, body), 400)


@pytest.mark.parametrize(
    "path, body",
    [
        ("/api/generate-docs", {}),
        ("/api/generate-docs", {"repository": "x"}),
        ("/api/generate-docs", {"repository_id": 42}),
        ("/api/documentation/jobs", {"options": {}}),
        ("/api/documentation/jobs", {"repository_id": None}),
        ("/api/repositories", {}),
        ("/api/repositories", {"url": 7}),
        ("/api/repositories", {"url": "ftp://example.com/repo.git"}),
        ("/api/repositories", {"url": "https://not-an-allowed-host.example/owner/repo"}),
    ],
)
def test_a_missing_or_wrong_field_is_400(stack: Stack, path: str, body: dict) -> None:
    assert_json_error(stack.api("POST", path, body), 400)


def test_a_bad_option_is_400(stack: Stack, owned: dict) -> None:
    body = {"repository_id": owned["repo_id"], "options": {"generator": "no-such-generator"}}
    assert_json_error(stack.api("POST", "/api/documentation/jobs", body), 400)
    body = {"repository_id": owned["repo_id"], "options": {"max_retries": "many"}}
    assert_json_error(stack.api("POST", "/api/documentation/jobs", body), 400)


# --- 401 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-real-token"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic YWRtaW46YWRtaW4="},
        {"Authorization": "not-even-a-scheme"},
    ],
    ids=["none", "unknown", "empty", "basic", "garbage"],
)
@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/api/me"),
        ("GET", "/api/repositories"),
        ("POST", "/api/generate-docs"),
        ("GET", f"/api/documentation/jobs/{UNKNOWN}"),
        ("GET", "/api/documentation/jobs"),
    ],
)
def test_no_or_bad_token_is_401(stack: Stack, headers: dict, method: str, path: str) -> None:
    body = {"repository_id": UNKNOWN} if method == "POST" else None
    r = stack.api(method, path, body, token=None, headers=headers)
    assert_json_error(r, 401)
    for value in headers.values():
        credential = value.split()[-1]
        if len(credential) >= 10:
            assert credential not in r.body["error"], "the answer repeats the credential"


def test_a_token_is_not_accepted_in_the_query(stack: Stack) -> None:
    assert_json_error(stack.api("GET", f"/api/me?token={stack.token}", token=None), 401)


# --- 404 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", f"/api/repositories/{UNKNOWN}"),
        ("GET", f"/api/repositories/{UNKNOWN}/docs"),
        ("GET", f"/api/repositories/{UNKNOWN}/pages"),
        ("GET", f"/api/documentation/jobs/{UNKNOWN}"),
        ("GET", f"/api/documentation/jobs/{UNKNOWN}/events"),
        ("GET", f"/api/documentation/jobs/{UNKNOWN}/objects"),
        ("POST", f"/api/documentation/jobs/{UNKNOWN}/pause"),
        ("DELETE", f"/api/documentation/jobs/{UNKNOWN}"),
        ("GET", "/api/no-such-thing"),
        ("GET", "/api/documentation/jobs/not-a-uuid"),
    ],
)
def test_unknown_is_404(stack: Stack, method: str, path: str) -> None:
    assert_json_error(stack.api(method, path), 404)


def test_generate_for_an_unknown_repository_is_404(stack: Stack) -> None:
    assert_json_error(stack.api("POST", "/api/generate-docs", {"repository_id": UNKNOWN}), 404)


def test_another_organisations_objects_are_404(stack: Stack, owned: dict) -> None:
    other = stack.other_token
    repo, job = owned["repo_id"], owned["job_id"]
    for method, path, body in [
        ("GET", f"/api/repositories/{repo}", None),
        ("GET", f"/api/repositories/{repo}/docs", None),
        ("GET", f"/api/repositories/{repo}/pages", None),
        ("GET", f"/api/repositories/{repo}/pages/index.md", None),
        ("POST", "/api/generate-docs", {"repository_id": repo}),
        ("POST", "/api/documentation/jobs", {"repository_id": repo, "options": {}}),
        ("GET", f"/api/documentation/jobs/{job}", None),
        ("GET", f"/api/documentation/jobs/{job}/events?after=0", None),
        ("GET", f"/api/documentation/jobs/{job}/objects", None),
        ("POST", f"/api/documentation/jobs/{owned['failed_job_id']}/retry", None),
        ("DELETE", f"/api/documentation/jobs/{job}", None),
    ]:
        r = stack.api(method, path, body, token=other)
        assert r.status == 404, (method, path, r.status, r.body)

    listed = stack.api("GET", "/api/repositories", token=other).body["repositories"]
    assert repo not in [x["id"] for x in listed]
    jobs = stack.api("GET", f"/api/documentation/jobs?repository_id={repo}", token=other)
    # A filter on another organisation's repository is a filter that matches nothing (the list is
    # scoped by organisation), not a probe that tells which ids exist.
    assert jobs.status == 200 and jobs.body["jobs"] == [], (jobs.status, jobs.body)
    # And the owner still sees all of it, unchanged.
    assert stack.job(job)["status"] == "completed"
    assert stack.api("GET", f"/api/repositories/{repo}/pages").status == 200


# --- 405, 413 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/api/generate-docs"),
        ("PUT", "/api/generate-docs"),
        ("DELETE", "/api/repositories"),
        ("PATCH", "/api/documentation/jobs"),
        ("PUT", f"/api/documentation/jobs/{UNKNOWN}"),
        ("GET", f"/api/documentation/jobs/{UNKNOWN}/pause"),
        ("POST", "/api/health"),
    ],
)
def test_wrong_method_is_405(stack: Stack, method: str, path: str) -> None:
    assert_json_error(stack.api(method, path, {} if method in ("PUT", "PATCH") else None), 405)


def test_a_body_over_1_mib_is_413(stack: Stack, owned: dict) -> None:
    padding = "x" * (1024 * 1024 + 1)
    body = json.dumps({"repository_id": owned["repo_id"], "padding": padding})
    assert_json_error(stack.api("POST", "/api/generate-docs", body), 413)
    assert stack.api("GET", f"/api/repositories/{owned['repo_id']}").body["active_job_id"] is None


def test_a_body_under_1_mib_is_read(stack: Stack) -> None:
    body = json.dumps({"repository_id": UNKNOWN, "padding": "x" * (1000 * 1000)})
    assert_json_error(stack.api("POST", "/api/generate-docs", body), 404)


# --- ETag and 304 ---------------------------------------------------------------------------------------


def test_job_polling_gets_304_until_the_job_changes(stack: Stack, owned: dict) -> None:
    path = f"/api/documentation/jobs/{owned['failed_job_id']}"
    first = stack.api("GET", path)
    assert first.status == 200
    etag = first.headers["ETag"]
    assert etag and etag.startswith('"') and etag.endswith('"'), etag

    for _ in range(3):
        again = stack.api("GET", path, headers={"If-None-Match": etag})
        assert again.status == 304, again.body
        assert again.body == ""
        assert again.headers["ETag"] == etag

    # Another organisation learns nothing from a valid ETag, and no token gets nothing.
    assert stack.api("GET", path, token=stack.other_token, headers={"If-None-Match": etag}).status == 404
    assert stack.api("GET", path, token=None, headers={"If-None-Match": etag}).status == 401

    retried = stack.api("POST", f"{path}/retry")
    assert retried.status == 200, retried.body
    changed = stack.api("GET", path, headers={"If-None-Match": etag})
    assert changed.status == 200
    assert changed.headers["ETag"] != etag
    stack.poll_job(owned["failed_job_id"], until=("failed",), timeout=30)


def test_a_stale_or_foreign_etag_gets_the_job(stack: Stack, owned: dict) -> None:
    path = f"/api/documentation/jobs/{owned['job_id']}"
    for tag in ('"0-0"', "garbage", f'"{owned["failed_job_id"]}-1"'):
        r = stack.api("GET", path, headers={"If-None-Match": tag})
        assert r.status == 200, (tag, r.status)
        assert r.body["id"] == owned["job_id"]
