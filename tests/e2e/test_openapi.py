"""docs/openapi.yaml against the real API: a valid document that names every route, and answers that fit it.

The router's routes are not read from the Swift source: the running server is asked.
Every documented (method, path) must answer a documented status; every other method
of a documented path must be 405 with an `Allow` header naming exactly the documented
methods; plausible paths that are not documented must be 404. The answers of a real
session (created, queued, completed, paused, cancelled, retried, refused, too large,
unauthorised, database down) are validated against the document's schemas, with
OpenAPI 3.0's `nullable` understood by openapi-schema-validator.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote

import pytest

from gitrepos import make_git_repo
from harness import DEFAULT, REPO_ROOT, ApiResponse, Stack, wait_until

SPEC_PATH = REPO_ROOT / "docs" / "openapi.yaml"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
PROBED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
UNKNOWN = str(uuid.UUID(int=0x0BE7A))

try:
    import yaml
    from openapi_schema_validator import OAS30ReadValidator, oas30_format_checker
    from openapi_spec_validator import validate as validate_spec
except ImportError as e:  # reported by the `spec` fixture, once, with the fix
    _IMPORT_ERROR: ImportError | None = e
else:
    _IMPORT_ERROR = None


# --- the document ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spec() -> dict:
    if _IMPORT_ERROR is not None:
        pytest.fail(
            f"checking docs/openapi.yaml needs the Python package openapi-spec-validator "
            f"(it brings openapi-schema-validator, jsonschema and PyYAML): "
            f"python3 -m pip install openapi-spec-validator  ({_IMPORT_ERROR})",
            pytrace=False,
        )
    assert SPEC_PATH.is_file(), f"{SPEC_PATH} is missing"
    with open(SPEC_PATH, encoding="utf-8") as f:
        return yaml.safe_load(f)


def operations(spec: dict) -> dict[tuple[str, str], dict]:
    """(METHOD, path template) -> operation."""
    return {
        (method.upper(), path): op
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in HTTP_METHODS
    }


def resolve(spec: dict, node: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        node = spec
        for part in ref[2:].split("/"):
            node = node[part]
    return node


def schema_errors(spec: dict, schema: dict, instance: Any) -> list[str]:
    """Errors of instance against an OpenAPI 3.0 schema of the document (refs resolved in it)."""
    root = dict(schema)
    root["components"] = spec["components"]
    validator = OAS30ReadValidator(root, format_checker=oas30_format_checker)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in validator.iter_errors(instance)]


def assert_fits(spec: dict, response_spec: dict, r: ApiResponse, what: str, head: bool = False) -> None:
    """The answer's headers, media type and body are what the response object says."""
    response_spec = resolve(spec, response_spec)
    for name, header in response_spec.get("headers", {}).items():
        header = resolve(spec, header)
        value = r.headers.get(name)
        if header.get("required"):
            assert value is not None, f"{what}: header {name} is documented as required; got {dict(r.headers)}"
        if value is not None and "schema" in header:
            errors = schema_errors(spec, header["schema"], value)
            assert not errors, f"{what}: header {name}: {value!r}: {errors}"
    content = response_spec.get("content")
    if not content:
        assert r.body == "", f"{what}: no body is documented, got {r.body!r}"
        return
    media = (r.headers.get("Content-Type") or "").split(";")[0].strip()
    assert media in content, f"{what}: Content-Type {media!r} is not one of {sorted(content)}"
    if head:
        assert r.body == "", f"{what}: HEAD answered a body"
        return
    schema = content[media].get("schema")
    if media == "application/json":
        assert not isinstance(r.body, str), f"{what}: not JSON: {r.body!r}"
    if schema is not None:
        errors = schema_errors(spec, schema, r.body)
        assert not errors, f"{what}: the body does not fit the document:\n  " + "\n  ".join(errors) + f"\n{json.dumps(r.body)[:2000]}"


def fill(template: str, ids: dict[str, str]) -> str:
    path = template
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, f"no value for a parameter of {template}"
    return path


def call(
    stack: Stack,
    spec: dict,
    method: str,
    template: str,
    ids: dict[str, str] | None = None,
    query: str = "",
    body: Any = None,
    token: Any = DEFAULT,
    headers: dict[str, str] | None = None,
    expect: int | tuple[int, ...] | None = None,
) -> ApiResponse:
    """One request to a documented operation; its answer must be documented and fit the document."""
    ops = operations(spec)
    op_method = "GET" if method == "HEAD" else method
    assert (op_method, template) in ops, f"{op_method} {template} is not in the document"
    path = fill(template, ids or {}) + (f"?{query}" if query else "")
    r = stack.api(method, path, body, token=token, headers=headers)
    what = f"{method} {path} -> {r.status}"
    if expect is not None:
        wanted = (expect,) if isinstance(expect, int) else expect
        assert r.status in wanted, f"{what}, expected {wanted}: {r.body!r}"
    responses = ops[(op_method, template)]["responses"]
    assert str(r.status) in responses or "default" in responses, (
        f"{what}: status not documented (documented: {sorted(responses)}): {r.body!r}"
    )
    assert_fits(spec, responses.get(str(r.status), responses.get("default")), r, what, head=method == "HEAD")
    return r


def assert_component(spec: dict, name: str, r: ApiResponse, what: str) -> None:
    assert_fits(spec, spec["components"]["responses"][name], r, what)


# --- a documented repository, shared by the tests of this module --------------------------------


@pytest.fixture(scope="module")
def world(stack: Stack, spec: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A repository with completed documentation, and the answers that made it (validated on the way)."""
    folder = tmp_path_factory.mktemp("openapi")
    # An earlier job of another repository first, so the job list has a second page at limit=1
    # whichever tests run before these.
    earlier = make_git_repo(folder, name="spec-earlier")
    earlier_repo = call(stack, spec, "POST", "/api/repositories", body={"url": str(earlier)}, expect=201)
    earlier_job = call(stack, spec, "POST", "/api/generate-docs", body={"repository_id": earlier_repo.body["id"]}, expect=202)
    stack.poll_job(earlier_job.body["data"]["job_id"], timeout=60)
    source = make_git_repo(folder, name="spec-demo")
    created = call(stack, spec, "POST", "/api/repositories", body={"url": str(source)}, expect=201)
    repo_id = created.body["id"]
    assert created.headers["Location"] == f"/api/repositories/{repo_id}"
    again = call(stack, spec, "POST", "/api/repositories", body={"url": str(source)}, expect=200)
    assert again.body["id"] == repo_id

    started = call(stack, spec, "POST", "/api/generate-docs", body={"repository_id": repo_id}, expect=202)
    job_id = started.body["data"]["job_id"]
    assert started.headers["Location"] == f"/api/documentation/jobs/{job_id}"
    stack.poll_job(job_id, timeout=60)

    pages = call(stack, spec, "GET", "/api/repositories/{repositoryId}/pages", {"repositoryId": repo_id}, expect=200)
    page_path = next(p["path"] for p in pages.body["pages"] if p["kind"] == "overview")
    return {"repositoryId": repo_id, "jobId": job_id, "pagePath": page_path, "source": source, "folder": folder}


def ids_of(world: dict) -> dict[str, str]:
    # No webhook is left registered by these tests (a later job would deliver to it): an unknown one, 404.
    return {"repositoryId": world["repositoryId"], "jobId": world["jobId"], "pagePath": quote(world["pagePath"]),
            "webhookId": UNKNOWN}


# --- (a) the document is valid ----------------------------------------------------------------------


def test_the_document_is_valid_openapi_3_0(spec: dict) -> None:
    assert spec.get("openapi") == "3.0.3", spec.get("openapi")
    validate_spec(spec)  # raises with the first problem


def test_the_document_is_internally_consistent(spec: dict) -> None:
    ops = operations(spec)
    ids = [op.get("operationId") for op in ops.values()]
    assert all(ids) and len(set(ids)) == len(ids), ids
    global_security = spec.get("security")
    for (method, path), op in ops.items():
        assert path.startswith("/api/"), path
        needs_token = op.get("security", global_security) != []
        responses = op["responses"]
        if needs_token:
            assert "401" in responses, f"{method} {path} needs a token but documents no 401"
        assert "503" in responses, f"{method} {path}: every operation can meet a database that is down"
        if "requestBody" in op:
            assert "413" in responses, f"{method} {path} takes a body but documents no 413"
        for status, response in responses.items():
            response = resolve(spec, response)
            if status.startswith(("4", "5")):
                for media, content in response.get("content", {}).items():
                    assert media == "application/json", f"{method} {path} {status}: errors are JSON"
                    assert not schema_errors(spec, content["schema"], {"error": "x"}) or status in ("409", "503"), (
                        f"{method} {path} {status}: an error body must be at least {{\"error\": …}}"
                    )


# --- (b) the document's routes are the server's routes ----------------------------------------------


def test_every_documented_operation_answers_a_documented_status(stack: Stack, spec: dict, world: dict) -> None:
    """Each operation with real ids. Requests that would change shared state are ones the API refuses."""
    ids = ids_of(world)
    bodies: dict[tuple[str, str], Any] = {
        ("POST", "/api/repositories"): {"url": str(world["source"])},  # already registered: 200
        # The repository's documentation is done; a new job would be real work, so an unknown repository: 404.
        ("POST", "/api/generate-docs"): {"repository_id": UNKNOWN},
        ("POST", "/api/documentation/jobs"): {"repository_id": UNKNOWN, "options": {}},
        ("PUT", "/api/me/github-token"): {"token": None},  # nothing stored: removing is a no-op
        ("PUT", "/api/organisation/llm"): {"base_url": "ftp://not-http"},  # refused: 400
        ("POST", "/api/organisation/webhooks"): {"url": "ftp://not-http"},  # refused: 400
        ("POST", "/api/repositories/{repositoryId}/webhooks"): {"url": "ftp://not-http"},
    }
    seen = {}
    for (method, template) in operations(spec):
        r = call(stack, spec, method, template, ids, body=bodies.get((method, template)))
        seen[(method, template)] = r.status
        # The completed job refuses every control: a 409 that leaves it as it is.
        if template.startswith("/api/documentation/jobs/{jobId}") and method in ("POST", "DELETE"):
            assert r.status == 409, (method, template, r.status, r.body)
    assert stack.job(world["jobId"])["status"] == "completed"
    # No operation of the document is a 404 or 405 with valid ids: the router knows each one.
    wrong = {k: v for k, v in seen.items() if v == 405 or (v == 404 and k not in {
        ("POST", "/api/generate-docs"), ("POST", "/api/documentation/jobs")} and "{webhookId}" not in k[1])}
    assert not wrong, wrong


def test_each_documented_path_has_exactly_the_documented_methods(stack: Stack, spec: dict, world: dict) -> None:
    """The router answers 405 for the other methods, and its Allow header is the document's list."""
    ids = ids_of(world)
    for template, item in spec["paths"].items():
        documented = {m.upper() for m in item if m in HTTP_METHODS}
        path = fill(template, ids)
        for method in PROBED_METHODS:
            if method in documented:
                continue
            body = {} if method in ("POST", "PUT", "PATCH") else None
            r = stack.api(method, path, body)
            what = f"{method} {template} -> {r.status}"
            assert r.status == 405, f"{what}: an undocumented method must be 405 (is it a route missing from the document?)"
            allowed = {m.strip() for m in r.headers.get("Allow", "").split(",") if m.strip()}
            # HEAD is answered wherever GET is (RFC 9110), so Allow names it too.
            expected = documented | ({"HEAD"} if "GET" in documented else set())
            assert allowed == expected, f"{template}: the server allows {sorted(allowed)}, the document {sorted(expected)}"
            assert_component(spec, "MethodNotAllowed", r, what)


@pytest.mark.parametrize(
    "path",
    [
        "/api/", "/api/jobs", "/api/documentation", "/api/users", "/api/organisation", "/api/organisations",
        "/api/tokens", "/api/me/tokens", "/api/me/llm", "/api/version", "/api/status", "/api/healthz",
        "/api/repositories/{repositoryId}/jobs", "/api/repositories/{repositoryId}/generate-docs",
        "/api/repositories/{repositoryId}/docs/status", "/api/repositories/{repositoryId}/pages/.hidden",
        "/api/repositories/not-a-uuid", "/api/repositories/not-a-uuid/docs",
        "/api/documentation/jobs/{jobId}/logs", "/api/documentation/jobs/{jobId}/status",
        "/api/documentation/jobs/{jobId}/events/1", "/api/documentation/jobs/{jobId}/objects/core",
        "/api/documentation/jobs/{jobId}/restart", "/api/documentation/jobs/not-a-uuid/events",
        "/api/documentation/repositories", "/api/documentation/jobs/{jobId}/pause/now",
    ],
)
def test_an_undocumented_path_is_404(stack: Stack, spec: dict, world: dict, path: str) -> None:
    concrete = fill(path, ids_of(world))
    for method in ("GET", "POST", "DELETE"):
        r = stack.api(method, concrete, {} if method == "POST" else None)
        what = f"{method} {concrete} -> {r.status}"
        assert r.status == 404, f"{what}: a path that the document does not have must be 404"
        assert_component(spec, "NotFound", r, what)


# Words an API like this one might use for a path segment: a route that the server has and the
# document lacks is found here when its last segment is one of them (and by the explicit list above).
VOCABULARY = (
    "health", "healthz", "metrics", "me", "status", "version", "repositories", "repository", "repos", "generate-docs",
    "generate", "documentation", "docs", "doc", "pages", "page", "jobs", "job", "events", "logs", "log", "objects",
    "modules", "pause", "resume", "retry", "restart", "cancel", "stop", "delete", "settings", "llm", "github-token",
    "token", "tokens", "users", "user", "members", "organisation", "organisations", "organization", "secrets", "keys",
    "webhooks", "webhook", "stats", "queue", "workers", "artifacts", "download", "archive", "diagram", "diagrams",
    "search", "index", "analysis", "estimate", "cost", "budget", "options", "cache", "admin", "dispatch", "login",
    "logout", "session", "openapi", "openapi.json", "openapi.yaml", "swagger", "spec",
)


def test_no_route_outside_the_document_answers(stack: Stack, spec: dict, world: dict) -> None:
    """GET on every vocabulary word under every prefix the API uses: undocumented ones must all be 404.

    A path that exists answers GET with anything but 404 (405 when it has no GET), so one GET per
    candidate finds routes of any method.
    """
    documented = set(spec["paths"])
    prefixes = {
        "/api/": "/api/",
        "/api/me/": "/api/me/",
        "/api/organisation/": "/api/organisation/",
        "/api/documentation/": "/api/documentation/",
        "/api/documentation/jobs/": "/api/documentation/jobs/",
        "/api/repositories/{repositoryId}/": f"/api/repositories/{world['repositoryId']}/",
        "/api/documentation/jobs/{jobId}/": f"/api/documentation/jobs/{world['jobId']}/",
    }
    unexpected = []
    for template_prefix, prefix in prefixes.items():
        for word in VOCABULARY:
            template = template_prefix + word
            if template in documented:
                continue  # the other tests ask these
            r = stack.api("GET", prefix + word)
            if r.status != 404:
                unexpected.append(f"GET {template} -> {r.status} {r.headers.get('Allow') or ''}")
            else:
                assert_component(spec, "NotFound", r, f"GET {template}")
    assert not unexpected, "the server answers paths that the document does not have:\n  " + "\n  ".join(unexpected)


def test_head_is_get_without_a_body(stack: Stack, spec: dict, world: dict) -> None:
    ids = ids_of(world)
    for template in ("/api/health", "/api/repositories/{repositoryId}", "/api/documentation/jobs/{jobId}"):
        get = stack.api("GET", fill(template, ids))
        head = call(stack, spec, "HEAD", template, ids)
        assert head.status == get.status == 200, (template, head.status, get.status)


# --- (c) the answers of a real session fit the schemas -------------------------------------------------


def test_job_get_is_200_with_an_etag_then_304(stack: Stack, spec: dict, world: dict) -> None:
    ids = ids_of(world)
    first = call(stack, spec, "GET", "/api/documentation/jobs/{jobId}", ids, expect=200)
    etag = first.headers["ETag"]
    assert etag == f'"{world["jobId"]}-{first.body["version"]}"', etag
    for _ in range(2):
        cached = call(stack, spec, "GET", "/api/documentation/jobs/{jobId}", ids, headers={"If-None-Match": etag}, expect=304)
        assert cached.headers["ETag"] == etag
    # RFC 9110 compares If-None-Match weakly (gzip's W/ form), as a list, and * matches any version.
    for same in (f"W/{etag}", f'"x", {etag}', f"W/\"x\", W/{etag}", "*"):
        cached = call(stack, spec, "GET", "/api/documentation/jobs/{jobId}", ids, headers={"If-None-Match": same}, expect=304)
        assert cached.headers["ETag"] == etag, same
    for stale in ('"0-0"', f'"{world["jobId"]}-0"', f'W/"{world["jobId"]}-0"', f"{etag}x"):
        r = call(stack, spec, "GET", "/api/documentation/jobs/{jobId}", ids, headers={"If-None-Match": stale}, expect=200)
        assert r.headers["ETag"] == etag, stale
    # Another organisation's valid ETag gets 404, like the job itself.
    call(stack, spec, "GET", "/api/documentation/jobs/{jobId}", ids, token=stack.other_token,
         headers={"If-None-Match": etag}, expect=404)


def test_reading_answers_fit_the_schemas(stack: Stack, spec: dict, world: dict) -> None:
    ids = ids_of(world)
    call(stack, spec, "GET", "/api/health", token=None, expect=200)
    metrics = call(stack, spec, "GET", "/api/metrics", expect=200)
    assert "scribe_jobs{" in metrics.body
    call(stack, spec, "GET", "/api/me", expect=200)
    # The list is paged: walk it (each page fits the document) until the repository shows up.
    seen: list[str] = []
    query = "limit=50"
    while True:
        repos = call(stack, spec, "GET", "/api/repositories", query=query, expect=200)
        seen += [r["id"] for r in repos.body["repositories"]]
        if world["repositoryId"] in seen or repos.body["next"] is None:
            break
        query = f"limit=50&after={repos.body['next']}"
    assert world["repositoryId"] in seen
    repo = call(stack, spec, "GET", "/api/repositories/{repositoryId}", ids, expect=200)
    assert repo.body["has_docs"] is True and repo.body["last_job_id"] == world["jobId"]
    docs = call(stack, spec, "GET", "/api/repositories/{repositoryId}/docs", ids, expect=200)
    assert docs.body["status"] == "completed" and docs.body["job_id"] == world["jobId"]

    jobs = call(stack, spec, "GET", "/api/documentation/jobs", expect=200)
    assert jobs.body["jobs"]
    filtered = call(stack, spec, "GET", "/api/documentation/jobs",
                    query=f"status=completed&repository_id={world['repositoryId']}&limit=1", expect=200)
    assert [j["id"] for j in filtered.body["jobs"]] == [world["jobId"]]
    # The repository's only completed job: a full page, and yet no next one.
    assert filtered.body["next"] is None and filtered.body["next_before"] is None
    newest = call(stack, spec, "GET", "/api/documentation/jobs", query="limit=1", expect=200)
    assert newest.body["next"] is not None and newest.body["next_before"] == newest.body["next"]
    after = call(stack, spec, "GET", "/api/documentation/jobs", query=f"limit=5&before={quote(newest.body['next'])}", expect=200)
    assert newest.body["jobs"][0]["id"] not in [j["id"] for j in after.body["jobs"]]
    call(stack, spec, "GET", "/api/documentation/jobs", query=f"repository_id={UNKNOWN}", expect=200)

    events = call(stack, spec, "GET", "/api/documentation/jobs/{jobId}/events", ids, expect=200)
    assert events.body["events"]
    seqs = [e["seq"] for e in events.body["events"]]
    assert events.body["next_after"] == seqs[-1]
    page2 = call(stack, spec, "GET", "/api/documentation/jobs/{jobId}/events", ids, query=f"after={seqs[0]}&limit=1", expect=200)
    assert [e["seq"] for e in page2.body["events"]] == seqs[1:2]
    empty = call(stack, spec, "GET", "/api/documentation/jobs/{jobId}/events", ids, query=f"after={seqs[-1]}", expect=200)
    assert empty.body == {"events": [], "next": None, "next_after": seqs[-1]}
    objects = call(stack, spec, "GET", "/api/documentation/jobs/{jobId}/objects", ids, expect=200)
    assert {o["status"] for o in objects.body["objects"]} == {"done"}


def test_webhook_answers_fit_the_schemas(stack: Stack, spec: dict, world: dict) -> None:
    ids = ids_of(world)
    made = []
    try:
        for base, scope_ids in (
            ("/api/organisation/webhooks", {}), ("/api/repositories/{repositoryId}/webhooks", {"repositoryId": ids["repositoryId"]}),
        ):
            created = call(stack, spec, "POST", base, scope_ids, body={"url": "https://hooks.example.com/scribe"}, expect=201)
            hook_ids = {**scope_ids, "webhookId": created.body["id"]}
            made.append((base, hook_ids))
            assert created.body["secret"].startswith("whsec_")
            listed = call(stack, spec, "GET", base, scope_ids, expect=200)
            assert [h["id"] for h in listed.body["webhooks"]] == [created.body["id"]]
            log = call(stack, spec, "GET", base + "/{webhookId}/deliveries", hook_ids, query="limit=10", expect=200)
            assert log.body["deliveries"] == [] and log.body["next"] is None
            call(stack, spec, "GET", base + "/{webhookId}/deliveries", hook_ids, query="after=bogus", expect=400)
            call(stack, spec, "GET", base + "/{webhookId}/deliveries", hook_ids, token=stack.other_token, expect=404)
    finally:
        for base, hook_ids in made:
            call(stack, spec, "DELETE", base + "/{webhookId}", hook_ids, expect=204)


def test_page_files_fit_the_document(stack: Stack, spec: dict, world: dict) -> None:
    ids = ids_of(world)
    pages = call(stack, spec, "GET", "/api/repositories/{repositoryId}/pages", ids, expect=200)
    for page in pages.body["pages"]:
        r = call(stack, spec, "GET", "/api/repositories/{repositoryId}/pages/{pagePath}",
                 {**ids, "pagePath": quote(page["path"])}, expect=200)
        assert r.headers["Content-Type"].split(";")[0] == page["content_type"].split(";")[0], (page, dict(r.headers))
        assert "X-Accel-Redirect" not in r.headers
    first = call(stack, spec, "GET", "/api/repositories/{repositoryId}/pages/{pagePath}", ids, expect=200)
    # The ETag is the content's SHA-256, the same on every host, whoever sends the file.
    tag = f'"{hashlib.sha256(first.body.encode()).hexdigest()}"'
    assert first.headers.get("ETag") == tag, dict(first.headers)
    call(stack, spec, "GET", "/api/repositories/{repositoryId}/pages/{pagePath}", ids,
         headers={"If-None-Match": tag}, expect=304)
    call(stack, spec, "GET", "/api/repositories/{repositoryId}/pages/{pagePath}", {**ids, "pagePath": "nope.md"}, expect=404)


def test_error_answers_fit_the_schemas(stack: Stack, spec: dict, world: dict) -> None:
    ids = ids_of(world)
    # 400
    for body in ("{not json", "", "[1]", {"repository_id": "nope"}, {}):
        call(stack, spec, "POST", "/api/generate-docs", body=body, expect=400)
    for options in ({"generator": "nope"}, {"max_retries": 11}, {"typo": True}, {"skip_existing": True, "regenerate_all": True}):
        call(stack, spec, "POST", "/api/documentation/jobs", body={"repository_id": world["repositoryId"], "options": options}, expect=400)
    for body in ({"url": "http://example.com/x"}, {"url": 5}, {"url": str(world["source"]), "branch": "-x"}, {}):
        call(stack, spec, "POST", "/api/repositories", body=body, expect=400)
    for query in ("status=nope", "limit=0", "limit=201", "repository_id=nope", "before=a;b"):
        call(stack, spec, "GET", "/api/documentation/jobs", query=query, expect=400)
    for query in ("after=-1", "after=x", "limit=0", "limit=1001"):
        call(stack, spec, "GET", "/api/documentation/jobs/{jobId}/events", ids, query=query, expect=400)
    call(stack, spec, "PUT", "/api/me/github-token", body={"token": "has space"}, expect=400)
    call(stack, spec, "POST", "/api/documentation/jobs/{jobId}/retry", ids, body={"regenerate_all": "yes"}, expect=400)
    # 401
    for headers in ({}, {"Authorization": "Bearer nope-" + secrets.token_hex(8)}, {"Authorization": "Basic eDp5"}):
        for method, template in (("GET", "/api/me"), ("GET", "/api/documentation/jobs/{jobId}"), ("POST", "/api/generate-docs")):
            call(stack, spec, method, template, ids, token=None, headers=headers,
                 body={"repository_id": world["repositoryId"]} if method == "POST" else None, expect=401)
    # 404
    call(stack, spec, "GET", "/api/documentation/jobs/{jobId}", {"jobId": UNKNOWN}, expect=404)
    call(stack, spec, "GET", "/api/repositories/{repositoryId}", ids, token=stack.other_token, expect=404)
    call(stack, spec, "GET", "/api/documentation/jobs/{jobId}/events", ids, token=stack.other_token, expect=404)
    # 405
    r = stack.api("PATCH", fill("/api/documentation/jobs/{jobId}", ids), {})
    assert r.status == 405 and r.headers["Allow"] == "DELETE, GET, HEAD", (r.status, dict(r.headers))
    assert_component(spec, "MethodNotAllowed", r, "PATCH job")
    # 409 (a state that refuses the transition)
    for template in ("/api/documentation/jobs/{jobId}/pause", "/api/documentation/jobs/{jobId}/resume",
                     "/api/documentation/jobs/{jobId}/retry", "/api/documentation/jobs/{jobId}/cancel"):
        refused = call(stack, spec, "POST", template, ids, expect=409)
        assert refused.body["status"] == "completed"
    # 413 from scribe-fcgi (over 1 MiB), and from nginx (over 2 MiB)
    for size in (1024 * 1024 + 1, 2 * 1024 * 1024 + 1):
        body = json.dumps({"repository_id": world["repositoryId"], "padding": "x" * size})
        call(stack, spec, "POST", "/api/generate-docs", body=body, expect=413)
    assert stack.api("GET", fill("/api/repositories/{repositoryId}", ids)).body["active_job_id"] is None


def test_account_answers_fit_the_schemas(stack: Stack, spec: dict) -> None:
    call(stack, spec, "PUT", "/api/me/github-token", body={"token": "ghp_" + secrets.token_hex(16)}, expect=200)
    removed = call(stack, spec, "PUT", "/api/me/github-token", body={}, expect=200)
    assert removed.body == {"github_token": "removed"}

    # A member may not change the organisation's LLM settings.
    member = stack.cli("user", "create", "--org", "e2e", "--email", f"member-{secrets.token_hex(4)}@e2e.test").stdout.strip()
    call(stack, spec, "PUT", "/api/organisation/llm", token=member, body={"model": "x"}, expect=403)
    me = call(stack, spec, "GET", "/api/me", token=member, expect=200)
    assert me.body["user"]["role"] == "member"

    # An administrator may. Only when nothing is set, so that rewriting "nothing" changes nothing.
    current = stack.psql("SELECT coalesce(llm_base_url, '') || coalesce(llm_model, '') || (llm_key_enc IS NOT NULL)::text "
                         "FROM organisations WHERE name = 'e2e'")
    if current == "false":
        r = call(stack, spec, "PUT", "/api/organisation/llm", body={"base_url": None, "model": None}, expect=200)
        assert r.body == {"base_url": None, "model": None, "api_key_set": False}
    call(stack, spec, "PUT", "/api/organisation/llm", body={"base_url": "file:///etc"}, expect=400)


def test_control_answers_fit_the_schemas(no_dispatcher: Stack, spec: dict, tmp_path: Path) -> None:
    """With the dispatcher off, a job stays queued: every transition and both 409s, deterministically."""
    stack = no_dispatcher
    repo_id = call(stack, spec, "POST", "/api/repositories",
                   body={"url": str(make_git_repo(tmp_path, name="controlled")), "branch": "main"}, expect=201).body["id"]
    options = {"skip_existing": False, "max_retries": 2, "generator": "builtin", "priority": 5, "commit": None,
               "model": None, "budget_usd": None, "modules": ["core"]}
    created = call(stack, spec, "POST", "/api/documentation/jobs", body={"repository_id": repo_id, "options": options}, expect=202)
    job = created.body
    assert job["status"] == "queued" and job["max_attempts"] == 3 and job["options"]["branch"] == "main"
    assert created.headers["ETag"] == f'"{job["id"]}-{job["version"]}"'
    ids = {"jobId": job["id"], "repositoryId": repo_id}

    # The seeds' 409, from both ways of starting a job, names the active job.
    for template, body in (("/api/generate-docs", {"repository_id": repo_id}),
                           ("/api/documentation/jobs", {"repository_id": repo_id})):
        conflict = call(stack, spec, "POST", template, body=body, expect=409)
        assert conflict.body == {"error": "Documentation generation is already in progress",
                                 "repository_id": repo_id, "status": "generating", "job_id": job["id"]}
    docs = call(stack, spec, "GET", "/api/repositories/{repositoryId}/docs", ids, expect=200)
    assert docs.body["status"] == "generating" and docs.body["progress"] == 0
    call(stack, spec, "GET", "/api/repositories/{repositoryId}/pages", ids, expect=404)  # nothing generated yet
    repo = call(stack, spec, "GET", "/api/repositories/{repositoryId}", ids, expect=200)
    assert repo.body["active_job_id"] == job["id"] and repo.body["has_docs"] is False

    steps = [
        ("POST", "/api/documentation/jobs/{jobId}/pause", None, "paused"),
        ("POST", "/api/documentation/jobs/{jobId}/resume", None, "queued"),
        ("DELETE", "/api/documentation/jobs/{jobId}", None, "cancelled"),
        ("POST", "/api/documentation/jobs/{jobId}/retry", {"regenerate_all": True}, "queued"),
        ("POST", "/api/documentation/jobs/{jobId}/cancel", None, "cancelled"),
        ("POST", "/api/documentation/jobs/{jobId}/retry", None, "queued"),
        ("POST", "/api/documentation/jobs/{jobId}/pause", None, "paused"),
    ]
    for method, template, body, status in steps:
        r = call(stack, spec, method, template, ids, body=body, expect=200)
        assert r.body["status"] == status, (method, template, r.body["status"])
        assert r.headers["ETag"] == f'"{job["id"]}-{r.body["version"]}"'
        call(stack, spec, "GET", "/api/documentation/jobs/{jobId}", ids, headers={"If-None-Match": r.headers["ETag"]}, expect=304)
    assert r.body["options"]["regenerate_all"] is True
    refused = call(stack, spec, "POST", "/api/documentation/jobs/{jobId}/pause", ids, expect=409)
    assert refused.body["status"] == "paused"
    call(stack, spec, "DELETE", "/api/documentation/jobs/{jobId}", ids, expect=200)
    events = call(stack, spec, "GET", "/api/documentation/jobs/{jobId}/events", ids, expect=200)
    assert isinstance(events.body["events"], list)
    call(stack, spec, "GET", "/api/documentation/jobs/{jobId}/objects", ids, expect=200)


@pytest.fixture
def database_down(stack: Stack) -> Iterator[Stack]:
    """scribe-fcgi restarted against a database that cannot be reached; the real one afterwards."""
    stack.cancel_active_jobs()
    stack.stop_fcgi()
    unreachable = "postgresql://postgres@/scribe?host=/nonexistent-scribe-socket-dir&port=1&connect_timeout=2"
    try:
        stack.start_fcgi(DATABASE_URL=unreachable, SCRIBE_DISPATCHER="0")
        yield stack
    finally:
        stack.stop_fcgi()
        stack.start_fcgi()
        stack.wait_healthy()


def test_database_down_answers_fit_the_schemas(database_down: Stack, spec: dict) -> None:
    stack = database_down
    health = wait_until(
        lambda: (r := stack.api("GET", "/api/health", token=None)).status == 503 and r,
        timeout=15, what="GET /api/health to answer 503",
    )
    assert health.body["status"] == "degraded" and health.body["database"] == "down", health.body
    call(stack, spec, "GET", "/api/health", token=None, expect=503)
    call(stack, spec, "GET", "/api/metrics", expect=503)
    # The token cannot be checked: 503, not 401.
    call(stack, spec, "GET", "/api/me", expect=503)
    call(stack, spec, "GET", "/api/documentation/jobs/{jobId}", {"jobId": UNKNOWN}, expect=503)
    call(stack, spec, "POST", "/api/generate-docs", body={"repository_id": UNKNOWN}, expect=503)
