"""The `llm` generator end to end, against a local OpenAI-compatible stand-in (tests/standins/llm.py).

The real stack (nginx, scribe-fcgi, scribe-worker, PostgreSQL) runs jobs on git repositories the
tests make; the stand-in answers with usage figures from a tokenizer of its own (near 3 characters
per token on code) and, on command, with 429 + Retry-After, 429 insufficient_quota, 500, 401, slow
answers, answers cut at max_tokens or without usage, malformed bodies and invented names. Every test uses a model name of its own, so
the stand-in's request log (and its rules) tell one test's requests from another's.

The organisation `e2e` keeps its key in the database (set with `scribe org set-llm`, key on stdin);
scribe-fcgi's environment names the endpoint, model and prices but no key, so the organisation
`e2e-other` has none unless a test gives it one.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote

import pytest

from harness import DEFAULT, Stack, wait_until
from stopping import PRODUCTION_TIMING, assert_stops_in_time

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from standins.llm import INVENTED, LLMStandIn  # noqa: E402

KEY = "sk-scribe-e2e-" + secrets.token_hex(20)
WRONG_KEY = "sk-revoked-e2e-" + secrets.token_hex(20)
LAYERS = ("summary", "responsibilities", "usage")
PRICE_PROMPT = Decimal("0.15")  # USD per million tokens, as gpt-4o-mini
PRICE_COMPLETION = Decimal("0.60")
CONCURRENCY = 4
MAX_RETRIES = 2


def llm_env(standin: LLMStandIn) -> dict[str, str]:
    return {
        "SCRIBE_LLM_BASE_URL": standin.base_url,
        "SCRIBE_LLM_MODEL": "standin-default",
        "SCRIBE_LLM_PRICE_PROMPT": str(PRICE_PROMPT),
        "SCRIBE_LLM_PRICE_COMPLETION": str(PRICE_COMPLETION),
        "SCRIBE_LLM_CONCURRENCY": str(CONCURRENCY),
        "SCRIBE_LLM_MAX_RETRIES": str(MAX_RETRIES),
        "SCRIBE_LLM_TIMEOUT_SECONDS": "20",
        # The most talkative level: whatever is logged, the key must not be.
        "SCRIBE_LOG_LEVEL": "trace",
    }


@pytest.fixture(scope="module")
def llm(stack: Stack) -> Iterator[LLMStandIn]:
    """The stand-in, scribe-fcgi restarted to point at it, and organisation e2e's key stored with the CLI."""
    standin = LLMStandIn(key=KEY).start()
    stack.cancel_active_jobs()
    stack.restart_fcgi(**llm_env(standin))
    result = subprocess.run(
        [str(stack.bin_dir / "scribe"), "org", "set-llm", "--org", "e2e", "--base-url", standin.base_url,
         "--model", "standin-default"],
        env=stack.env(), input=KEY + "\n", capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert KEY not in result.stdout + result.stderr
    try:
        yield standin
    finally:
        stack.cancel_active_jobs()
        standin.stop()
        stack.restart_fcgi()


@pytest.fixture
def model(llm: LLMStandIn, request: pytest.FixtureRequest) -> str:
    """A model name of this test's own; the stand-in's rules start empty."""
    llm.add("ok")
    return "standin-" + re.sub(r"[^a-z0-9]+", "-", request.node.name.lower())[:60] + "-" + secrets.token_hex(3)


# --- helpers --------------------------------------------------------------------------------------


def python_module(name: str, uses: str | None = None) -> dict[str, str]:
    """A package with a documented function and class (and an import of another module if `uses`)."""
    imports = f"from {uses}.{uses}_api import {uses}_entry\n\n\n" if uses else ""
    call = f"{uses}_entry(value)" if uses else "value"
    return {
        "__init__.py": f'"""The {name} package: keeps and serves {name} records."""\n',
        f"{name}_api.py": (
            f'"""Public functions of {name}."""\n\n{imports}'
            f"def {name}_entry(value):\n"
            f'    """Returns value after {name} has looked at it."""\n'
            f"    return {call}\n\n\n"
            f"class {name.capitalize()}Service:\n"
            f'    """Keeps the state of {name}."""\n\n'
            "    def run(self):\n"
            '        """Runs once."""\n'
            "        return True\n"
        ),
    }


def make_repo(stack: Stack, git_repo, names: list[str], token: Any = DEFAULT) -> str:
    """A repository with one package per name (each after the first imports the first); its id."""
    modules = {n: python_module(n, uses=names[0] if i else None) for i, n in enumerate(names)}
    return stack.add_repository(git_repo(modules=modules, readme="# demo\n\nA demo project for the LLM tests.\n"), token=token)


def start_job(stack: Stack, repo_id: str, model: str, token: Any = DEFAULT, **options: Any) -> str:
    r = stack.api("POST", "/api/documentation/jobs",
                  {"repository_id": repo_id, "options": {"generator": "llm", "model": model, **options}}, token=token)
    assert r.status == 202, (r.status, r.body)
    return r.body["id"]


def all_events(stack: Stack, job_id: str, token: Any = DEFAULT) -> list[dict]:
    events: list[dict] = []
    after = 0
    while True:
        r = stack.api("GET", f"/api/documentation/jobs/{job_id}/events?after={after}", token=token)
        assert r.status == 200, r.body
        if not r.body["events"]:
            return events
        events += r.body["events"]
        after = r.body["next_after"]


def objects(stack: Stack, job_id: str, token: Any = DEFAULT) -> dict[str, dict]:
    r = stack.api("GET", f"/api/documentation/jobs/{job_id}/objects", token=token)
    assert r.status == 200, r.body
    return {o["path"]: o for o in r.body["objects"]}


def module_page(stack: Stack, repo_id: str, module: str, token: Any = DEFAULT) -> str:
    r = stack.api("GET", f"/api/repositories/{repo_id}/pages", token=token)
    assert r.status == 200, r.body
    paths = [p["path"] for p in r.body["pages"] if p["kind"] == "module" and p["module"] == module]
    assert paths, r.body["pages"]
    got = stack.api("GET", f"/api/repositories/{repo_id}/pages/{quote(paths[0])}", token=token)
    assert got.status == 200, got.body
    return got.body


def prose(page: str) -> str:
    """The model's part of a module page (before the built-in reference)."""
    return page.split("\n---\n", 1)[0]


def usd(value: Any) -> Decimal:
    return Decimal(str(value))


def expected_cost(prompt: int, completion: int) -> Decimal:
    return (prompt * PRICE_PROMPT + completion * PRICE_COMPLETION) / 1_000_000


def answered(requests: list[dict]) -> list[dict]:
    return [r for r in requests if r["usage"] is not None]


def assert_totals_match(job: dict, requests: list[dict]) -> None:
    """The job's tokens are what the provider answered, and its cost is those tokens at the configured prices.

    To a millionth of a dollar, the precision the API shows: rounding each request's cost before adding
    it up would drift further with every request.
    """
    ok = answered(requests)
    prompt = sum(r["usage"]["prompt_tokens"] for r in ok)
    completion = sum(r["usage"]["completion_tokens"] for r in ok)
    assert (job["prompt_tokens"], job["completion_tokens"]) == (prompt, completion), job
    exact = expected_cost(prompt, completion)
    assert abs(usd(job["cost_actual_usd"]) - exact) <= Decimal("0.000001"), (
        f"cost_actual_usd {job['cost_actual_usd']} but {prompt} + {completion} tokens at the configured prices "
        f"cost {exact} ({len(ok)} requests)")


def assert_no_secret(stack: Stack, job_id: str, token: Any = DEFAULT, secrets_: tuple[str, ...] = (KEY, WRONG_KEY)) -> None:
    """The keys are in none of the job's API answers (job, events, objects) nor its pages."""
    texts = [
        str(stack.api("GET", f"/api/documentation/jobs/{job_id}", token=token).body),
        str(all_events(stack, job_id, token)),
        str(stack.api("GET", f"/api/documentation/jobs/{job_id}/objects", token=token).body),
        str(stack.api("GET", f"/api/documentation/jobs?limit=100", token=token).body),
    ]
    folder = stack.pages_of(job_id, required=False)
    if folder is not None:
        texts += [p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file()]
    for secret in secrets_:
        for fragment in (secret, secret[6:26]):
            assert not any(fragment in t for t in texts), f"a key (or part of it) is in an answer of job {job_id}"


# --- a job, the whole way ---------------------------------------------------------------------------


def test_llm_job_completes_with_token_and_cost_totals(stack: Stack, llm: LLMStandIn, model: str, git_repo) -> None:
    names = ["core", "storage", "web"]
    repo_id = make_repo(stack, git_repo, names)
    job_id = start_job(stack, repo_id, model)
    job = stack.poll_job(job_id, until=("completed",), timeout=30, interval=0.1)

    requests = llm.requests(model)
    # One request per module and layer, each with the organisation's key, none retried.
    assert sorted((r["module"], r["layer"]) for r in requests) == sorted((m, layer) for m in names for layer in LAYERS)
    assert all(r["auth_present"] and r["auth_ok"] and r["status"] == 200 for r in requests), requests
    # The prompt carries the facts of the analysis.
    for r in requests:
        assert f"{r['module']}_entry" in r["user"] and f"{r['module']}/{r['module']}_api.py" in r["user"], r["user"]

    assert job["generator"] == "llm" and job["model"] == model
    assert_totals_match(job, requests)
    # The estimate was shown before generation and is an upper bound.
    assert job["cost_estimated_usd"] is not None and usd(job["cost_estimated_usd"]) >= usd(job["cost_actual_usd"]) > 0
    assert (job["processed_objects"], job["failed_objects"], job["total_objects"]) == (3, 0, 3)
    assert job["unverified_mentions"] == 0

    # Per object: its own tokens and cost.
    objs = objects(stack, job_id)
    assert set(objs) == set(names), objs
    for m in names:
        mine = [r for r in requests if r["module"] == m]
        p = sum(r["usage"]["prompt_tokens"] for r in mine)
        c = sum(r["usage"]["completion_tokens"] for r in mine)
        o = objs[m]
        assert o["status"] == "done", o
        assert (o["prompt_tokens"], o["completion_tokens"]) == (p, c), o
        assert abs(usd(o["cost_usd"]) - expected_cost(p, c)) <= Decimal("0.000001"), (o, expected_cost(p, c))
        assert o.get("unverified_mentions") == 0, f"objects should carry unverified_mentions: {o}"

    # Per layer: an event record with its status, tokens and duration.
    layer_events = [e for e in all_events(stack, job_id) if e["kind"] == "object" and e["layer"]]
    assert sorted((e["object"], e["layer"]) for e in layer_events) == sorted((m, layer) for m in names for layer in LAYERS)
    tokens = {(r["module"], r["layer"]): r["usage"]["total_tokens"] for r in requests}
    for e in layer_events:
        assert e["status"] == "done", e
        assert e["tokens"] == tokens[(e["object"], e["layer"])], e
        assert isinstance(e["duration_ms"], int) and e["duration_ms"] >= 0, e

    # The page says which model wrote it and when; the real names it uses are not flagged.
    page = module_page(stack, repo_id, "core")
    assert model in page and re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", page), page[:600]
    assert "## Summary" in page and "`core_entry`" in prose(page), page[:1500]
    assert "⚠️" not in prose(page), prose(page)
    assert_no_secret(stack, job_id)


def test_requests_run_concurrently_up_to_the_configured_limit(stack: Stack, llm: LLMStandIn, model: str, git_repo) -> None:
    names = [f"part{i}" for i in range(8)]
    repo_id = make_repo(stack, git_repo, names)
    llm.add("slow", model=model, delay=0.3)
    job_id = start_job(stack, repo_id, model)
    job = stack.poll_job(job_id, until=("completed",), timeout=30, interval=0.1)
    assert job["processed_objects"] == len(names)
    assert len(llm.requests(model)) == len(names) * len(LAYERS)
    assert llm.max_concurrency(model) == CONCURRENCY
    assert_totals_match(job, llm.requests(model))


# --- failures of the provider -------------------------------------------------------------------------


def test_a_429_storm_is_ridden_out_with_retry_after_honoured(stack: Stack, llm: LLMStandIn, model: str, git_repo) -> None:
    names = ["core", "storage", "web"]
    repo_id = make_repo(stack, git_repo, names)
    llm.add("429", 6, model=model, retry_after=1)
    job_id = start_job(stack, repo_id, model)
    job = stack.poll_job(job_id, until=("completed",), timeout=40, interval=0.1)

    requests = llm.requests(model)
    limited = [r for r in requests if r["status"] == 429]
    ok = [r for r in requests if r["status"] == 200]
    assert len(limited) == 6, [(r["module"], r["layer"], r["status"]) for r in requests]
    # Every object and layer was answered in the end, the limited ones retried (not skipped).
    assert sorted((r["module"], r["layer"]) for r in ok) == sorted((m, layer) for m in names for layer in LAYERS)
    assert (job["processed_objects"], job["failed_objects"]) == (3, 0), job
    # The waits were honoured: after a 429 (Retry-After: 1) no request came within that second.
    # (A request already on its way when the 429 left the stand-in may arrive a few ms later.)
    for r429 in limited:
        too_soon = [r for r in requests if r429["t_end"] + 0.15 < r["t_start"] < r429["t_end"] + 1 - 0.05]
        assert not too_soon, (r429, too_soon)
    # Tokens count only the answered requests.
    assert_totals_match(job, requests)
    events = all_events(stack, job_id)
    assert any("Rate limited" in e["message"] for e in events), [e["message"] for e in events]
    assert_no_secret(stack, job_id)


@pytest.mark.parametrize("form", ["seconds", "http-date", "503"])
def test_no_request_leaves_during_a_retry_after_window(
    stack: Stack, llm: LLMStandIn, model: str, git_repo, form: str
) -> None:
    """With 4 requests in flight, one 429 (or 503) with Retry-After holds back every thread of the worker:
    no request starts between the answer (plus 0.1 s for it to reach the worker) and the end of the wait."""
    names = [f"part{i}" for i in range(8)]
    repo_id = make_repo(stack, git_repo, names)
    llm.add("slow", model=model, delay=0.3)  # keeps CONCURRENCY requests in flight
    if form == "503":
        llm.add("500", 1, model=model, status=503, retry_after=2)
    else:
        llm.add("429", 1, model=model, retry_after=2, date=form == "http-date")
    job_id = start_job(stack, repo_id, model)
    job = stack.poll_job(job_id, until=("completed",), timeout=90, interval=0.1)
    assert (job["processed_objects"], job["failed_objects"]) == (len(names), 0), job

    requests = llm.requests(model)
    assert llm.max_concurrency(model) == CONCURRENCY
    (limited,) = [r for r in requests if r["status"] in (429, 503)]
    window = (limited["t_end"] + 0.1, limited["until"])
    assert window[1] - limited["t_end"] >= 1, "the wait asked for is at least a second"
    inside = [r for r in requests if window[0] < r["t_start"] < window[1]]
    assert not inside, f"{len(inside)} requests left during the wait {window}: {[r['t_start'] for r in inside]}"
    assert any(r["t_start"] >= window[1] for r in requests), "the job went on after the wait"


def test_a_refused_key_fails_the_job_at_once(stack: Stack, llm: LLMStandIn, model: str, git_repo) -> None:
    other = stack.other_token
    r = stack.api("PUT", "/api/organisation/llm", {"base_url": llm.base_url, "model": model, "api_key": WRONG_KEY}, token=other)
    assert r.status == 200, r.body
    assert r.body.get("api_key_set") is True and WRONG_KEY not in str(r.body) and WRONG_KEY not in str(dict(r.headers))
    try:
        repo_id = make_repo(stack, git_repo, ["core", "storage", "web", "extra", "more"], token=other)
        started = time.monotonic()
        job_id = start_job(stack, repo_id, model, token=other)
        job = stack.poll_job(job_id, until=("failed",), timeout=20, interval=0.1, token=other)
        assert time.monotonic() - started < 10
        assert "key" in job["error_message"] and "401" in job["error_message"], job["error_message"]
        assert job["attempt"] == 1, "a refused key is fatal: no retry of the job"
        # Fast: no more than the requests already in flight, none retried, no module documented.
        requests = llm.requests(model)
        assert 1 <= len(requests) <= CONCURRENCY, requests
        assert all(r["status"] == 401 and r["auth_present"] and not r["auth_ok"] for r in requests)
        assert job["processed_objects"] == 0 and job["prompt_tokens"] == 0 and usd(job["cost_actual_usd"]) == 0, job
        assert_no_secret(stack, job_id, token=other)
    finally:
        stack.api("PUT", "/api/organisation/llm", {"base_url": None, "model": None, "api_key": None}, token=other)


def test_without_a_key_the_job_fails_before_any_work(stack: Stack, llm: LLMStandIn, model: str, git_repo) -> None:
    other = stack.other_token
    r = stack.api("PUT", "/api/organisation/llm", {"base_url": None, "model": None, "api_key": None}, token=other)
    assert r.status == 200 and r.body["api_key_set"] is False, r.body
    repo_id = make_repo(stack, git_repo, ["core", "storage"], token=other)
    job_id = start_job(stack, repo_id, model, token=other)
    job = stack.poll_job(job_id, until=("failed",), timeout=20, interval=0.1, token=other)
    assert job["error_message"] == "No LLM API key configured"
    assert job["attempt"] == 1
    assert llm.requests(model) == []
    # Before any work: no clone, no analysis, no object.
    messages = [e["message"] for e in all_events(stack, job_id, token=other)]
    assert not any("Fetching repository contents" in m or "Analyzing" in m for m in messages), messages
    assert job["total_objects"] == 0 and objects(stack, job_id, token=other) == {}


def test_5xx_are_retried_and_a_module_that_still_fails_gets_the_marked_builtin_page(
    stack: Stack, llm: LLMStandIn, model: str, git_repo
) -> None:
    names = ["core", "storage", "web", "extra"]
    repo_id = make_repo(stack, git_repo, names)
    llm.add("500", 2, model=model, module="core")  # recovers after two retries
    llm.add("500", model=model, module="storage", status=503)  # never recovers
    llm.add("malformed", model=model, module="web")  # never answers properly
    job_id = start_job(stack, repo_id, model)
    job = stack.poll_job(job_id, until=("completed",), timeout=40, interval=0.1)

    assert (job["processed_objects"], job["failed_objects"], job["total_objects"]) == (2, 2, 4), job
    requests = llm.requests(model)
    per = {m: [r for r in requests if r["module"] == m] for m in names}
    assert len(per["core"]) == len(LAYERS) + 2 and all(r["status"] == 200 for r in per["core"][2:]), per["core"]
    # Bounded: the first layer of storage was tried 1 + SCRIBE_LLM_MAX_RETRIES times, then the module given up.
    assert [r["status"] for r in per["storage"]] == [503] * (1 + MAX_RETRIES), per["storage"]
    assert 1 <= len(per["web"]) <= 1 + MAX_RETRIES and all(r["failure"].startswith("malformed") for r in per["web"])

    objs = objects(stack, job_id)
    assert objs["core"]["status"] == "done" and objs["extra"]["status"] == "done"
    for m in ("storage", "web"):
        assert objs[m]["status"] == "failed" and objs[m]["error"], objs[m]
        page = module_page(stack, repo_id, m)
        # The built-in page, marked as such.
        assert "could not document this module" in page and "built-in" in page, page[:800]
        assert f"{m}_entry" in page, page
    assert len(job["error_log"]) >= 2, job["error_log"]
    failed_layers = [e for e in all_events(stack, job_id) if e["layer"] and e["status"] == "failed"]
    assert {e["object"] for e in failed_layers} >= {"storage", "web"}, failed_layers
    assert_no_secret(stack, job_id)


def test_a_partial_job_says_so_and_its_retry_regenerates_only_the_failed_modules(
    stack: Stack, llm: LLMStandIn, model: str, git_repo
) -> None:
    names = ["core", "storage", "web"]
    repo_id = make_repo(stack, git_repo, names)
    llm.add("500", model=model, module="storage", status=503)  # never recovers in this job
    job_id = start_job(stack, repo_id, model)
    job = stack.poll_job(job_id, until=("completed",), timeout=40, interval=0.1)
    assert job["status"] == "completed" and job["failed_objects"] == 1 and job["partial"] is True, job
    warning = [e for e in all_events(stack, job_id) if "failed (storage)" in e["message"]]
    assert warning and "partial" in warning[0]["message"], all_events(stack, job_id)[-5:]
    # The repository's answer names it too.
    assert stack.job(job_id)["partial"] is True

    llm.add("ok")  # the provider recovers
    seen = len(llm.requests(model))
    r = stack.api("POST", f"/api/documentation/jobs/{job_id}/retry")
    assert r.status == 202, r.body
    retry_id = r.body["id"]
    assert retry_id != job_id and r.body["status"] == "queued"
    done = stack.poll_job(retry_id, until=("completed",), timeout=40, interval=0.1)
    assert done["partial"] is False and done["failed_objects"] == 0 and not done["cache_hit"], done
    asked = {q["module"] for q in llm.requests(model)[seen:]}
    assert asked == {"storage"}, f"the retry asked about {asked}, not only the failed module"
    assert stack.job(job_id)["status"] == "completed", "the partial job itself stays completed"
    page = module_page(stack, repo_id, "storage")
    assert "could not document this module" not in page, page[:400]


# --- cost, checks, cancel ------------------------------------------------------------------------------


def test_a_budget_stops_the_job_before_it_is_exceeded(stack: Stack, llm: LLMStandIn, model: str, git_repo) -> None:
    names = [f"mod{i}" for i in range(6)]
    repo_id = make_repo(stack, git_repo, names)

    # A budget below what even one module may cost: stopped before any request, the estimate shown.
    first = start_job(stack, repo_id, model + "-a", budget_usd=0.000001)
    job = stack.poll_job(first, until=("failed",), timeout=20, interval=0.1)
    assert "budget" in job["error_message"], job["error_message"]
    assert llm.requests(model + "-a") == []
    estimate = usd(job["cost_estimated_usd"])
    assert estimate > 0 and usd(job["cost_actual_usd"]) == 0

    # Room for about one module's worst case: some modules are documented, then it stops in time.
    budget = float(estimate / len(names) * Decimal("1.3"))
    second = start_job(stack, repo_id, model + "-b", budget_usd=budget)
    job = stack.poll_job(second, until=("failed",), timeout=30, interval=0.1)
    assert "budget" in job["error_message"], job["error_message"]
    assert 1 <= job["processed_objects"] < len(names), job
    assert usd(job["cost_actual_usd"]) <= usd(budget), (job["cost_actual_usd"], budget)
    ok = answered(llm.requests(model + "-b"))
    spent = expected_cost(sum(r["usage"]["prompt_tokens"] for r in ok), sum(r["usage"]["completion_tokens"] for r in ok))
    assert spent <= usd(budget), (spent, budget)
    assert (job["prompt_tokens"], job["completion_tokens"]) == (
        sum(r["usage"]["prompt_tokens"] for r in ok), sum(r["usage"]["completion_tokens"] for r in ok))

    # A retry of the same job keeps to the same budget: what it spent before counts.
    r = stack.api("POST", f"/api/documentation/jobs/{second}/retry")
    assert r.status == 200, r.body
    job = stack.poll_job(second, until=("failed", "completed"), timeout=30, interval=0.1)
    assert usd(job["cost_actual_usd"]) <= usd(budget), (job["cost_actual_usd"], budget)
    ok = answered(llm.requests(model + "-b"))
    assert expected_cost(sum(r["usage"]["prompt_tokens"] for r in ok), sum(r["usage"]["completion_tokens"] for r in ok)) <= usd(budget)


def charged(requests: list[dict]) -> Decimal:
    """What the provider charged for these requests, by its own tokenizer, whether or not it said so."""
    ok = answered(requests)
    return expected_cost(sum(r["usage"]["prompt_tokens"] for r in ok), sum(r["usage"]["completion_tokens"] for r in ok))


def test_the_estimate_and_the_budget_hold_against_a_tokenizer_of_its_own(
    stack: Stack, llm: LLMStandIn, model: str, git_repo,
) -> None:
    """The stand-in counts code near 3 characters per token (not the product's estimate), runs answers to
    max_tokens (finish_reason "length") and leaves `usage` out of some answers: the estimate stays an upper
    bound, an answer without usage is counted from its text (never as 0), and a budget is never exceeded."""
    names = [f"tok{i}" for i in range(6)]
    repo_id = make_repo(stack, git_repo, names)
    llm.add("length", model=model + "-a")
    llm.add("no_usage", count=6, model=model + "-a")
    first = start_job(stack, repo_id, model + "-a")
    job = stack.poll_job(first, until=("completed",), timeout=45, interval=0.1)
    requests = llm.requests(model + "-a")
    assert len(requests) == len(names) * len(LAYERS) and all(r["status"] == 200 for r in requests), requests
    # The stand-in's tokenizer is not 4 characters per token: the prompts come out denser.
    chars = sum(r["prompt_chars"] for r in requests)
    tokens = sum(r["usage"]["prompt_tokens"] for r in requests)
    assert chars / tokens < 3.5, (chars, tokens)
    assert all(r["finish_reason"] == "length" and r["usage"]["completion_tokens"] == r["max_tokens"] for r in requests)
    silent = [r for r in requests if not r["usage_sent"]]
    assert len(silent) == 6, "six answers came without usage"
    # Counted, never as 0: at least what the provider charged, and the estimate above both.
    assert usd(job["cost_actual_usd"]) >= charged(requests) > 0, (job["cost_actual_usd"], charged(requests))
    assert job["completion_tokens"] >= sum(r["usage"]["completion_tokens"] for r in requests), job
    assert usd(job["cost_estimated_usd"]) >= usd(job["cost_actual_usd"]), job
    messages = [e["message"] or "" for e in all_events(stack, first)]
    assert sum("reported no usage" in m for m in messages) == 6, messages
    assert any("finish_reason: length" in m for m in messages), messages

    # A budget for about one module's worst case, against the same answers: stopped in time, by the
    # provider's count as much as by the product's.
    llm.add("length", model=model + "-b")
    llm.add("no_usage", count=3, model=model + "-b")
    budget = float(usd(job["cost_estimated_usd"]) / len(names) * Decimal("1.3"))
    second = start_job(stack, repo_id, model + "-b", budget_usd=budget, regenerate_all=True)
    job = stack.poll_job(second, until=("failed",), timeout=45, interval=0.1)
    assert "budget" in job["error_message"], job["error_message"]
    assert 1 <= job["processed_objects"] < len(names), job
    assert charged(llm.requests(model + "-b")) <= usd(job["cost_actual_usd"]) <= usd(budget), (job, budget)


def test_an_exhausted_quota_fails_the_job_without_waiting(stack: Stack, llm: LLMStandIn, model: str, git_repo) -> None:
    """OpenAI's 429 with `insufficient_quota` (no Retry-After) is not a rate limit: no wait, no retry."""
    names = ["core", "storage", "web"]
    repo_id = make_repo(stack, git_repo, names)
    llm.add("quota", model=model)
    started = time.monotonic()
    job = stack.poll_job(start_job(stack, repo_id, model), until=("failed",), timeout=30, interval=0.1)
    assert time.monotonic() - started < 10
    assert "quota" in job["error_message"], job["error_message"]
    assert job["attempt"] == 1, job
    requests = llm.requests(model)
    assert 1 <= len(requests) <= CONCURRENCY and all(r["failure"] == "quota" for r in requests), requests
    assert usd(job["cost_actual_usd"]) == 0
    assert not any("Rate limited" in (e["message"] or "") for e in all_events(stack, job["id"]))


def test_invented_names_are_flagged_and_counted(stack: Stack, llm: LLMStandIn, model: str, git_repo) -> None:
    names = ["core", "storage", "web"]
    repo_id = make_repo(stack, git_repo, names)
    llm.add("invent", model=model)
    job_id = start_job(stack, repo_id, model)
    job = stack.poll_job(job_id, until=("completed",), timeout=30, interval=0.1)

    invented = sum(r["invented"] for r in llm.requests(model))
    assert invented == len(names) * len(LAYERS) * len(INVENTED)
    assert job["unverified_mentions"] == invented, job
    objs = objects(stack, job_id)
    for m in names:
        assert objs[m].get("unverified_mentions") == len(LAYERS) * len(INVENTED), objs[m]
        text = prose(module_page(stack, repo_id, m))
        for name in INVENTED:
            assert f"`{name}` ⚠️" in text, text
        # The real names stay unflagged.
        assert f"`{m}_entry`" in text and f"`{m}_entry` ⚠️" not in text, text
        assert f"`{m}/{m}_api.py`" in text and f"`{m}/{m}_api.py` ⚠️" not in text, text


def test_cancel_during_slow_generation_ends_within_seconds(stack: Stack, llm: LLMStandIn, model: str, git_repo) -> None:
    names = [f"part{i}" for i in range(8)]
    repo_id = make_repo(stack, git_repo, names)
    # Answers as slow as a real model writing a long text: cancel must not wait for them.
    llm.add("slow", model=model, delay=10)
    job_id = start_job(stack, repo_id, model)
    wait_until(lambda: llm.in_flight(model) >= 1, timeout=20, interval=0.05, what="a request in flight")

    # Meanwhile: the key is in no process's argv (nor in the environment of ours: it lives in the database).
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                argv = (proc / "cmdline").read_bytes()
            except OSError:
                continue
            assert KEY.encode() not in argv, f"the key is in the argv of pid {proc.name}"
    for pid in stack.worker_pids(job_id) + ([stack.fcgi.pid] if stack.fcgi else []):
        try:
            assert KEY.encode() not in Path(f"/proc/{pid}/environ").read_bytes(), f"the key is in the environment of {pid}"
        except OSError:
            pass

    r = stack.api("DELETE", f"/api/documentation/jobs/{job_id}")
    assert r.status == 200, r.body
    asked = time.monotonic()
    job = stack.poll_job(job_id, until=("cancelled",), timeout=15, interval=0.1)
    took = time.monotonic() - asked
    assert took <= 5, f"cancel took {took:.1f} s"
    assert job["processed_objects"] < len(names)
    # No request starts once the cancel was seen.
    time.sleep(0.5)
    late = [r for r in llm.requests(model) if r["t_start"] > asked + 1.0]
    assert not late, late
    assert_no_secret(stack, job_id)


@pytest.mark.parametrize("action", ["cancel", "pause"])
def test_cancel_and_pause_during_generation_take_under_2_s_with_the_production_heartbeat(
    stack: Stack, llm: LLMStandIn, model: str, git_repo, action: str
) -> None:
    """Answers that take 10 s are in flight: the request still ends the job within 2 s (LISTEN carries it,
    the heartbeat is 5 s), the requests in flight are abandoned and the worker is gone."""
    stack.restart_fcgi(**llm_env(llm), **PRODUCTION_TIMING)
    try:
        names = [f"part{i}" for i in range(6)]
        repo_id = make_repo(stack, git_repo, names)
        llm.add("slow", model=model, delay=10)
        job_id = start_job(stack, repo_id, model)
        wait_until(lambda: llm.in_flight(model) >= CONCURRENCY, timeout=20, interval=0.05, what="requests in flight")
        job = assert_stops_in_time(stack, job_id, action)
        assert job["processed_objects"] == 0, job
        started = len(llm.requests(model))
        if action == "pause":
            llm.add("ok")  # the slow rule goes: the resumed worker gets prompt answers
            r = stack.api("POST", f"/api/documentation/jobs/{job_id}/resume")
            assert r.status == 200, r.body
            done = stack.poll_job(job_id, until=("completed",), timeout=60, interval=0.1)
            assert (done["processed_objects"], done["failed_objects"]) == (len(names), 0), done
            assert len(llm.requests(model)) > started
    finally:
        stack.cancel_active_jobs()
        stack.restart_fcgi(**llm_env(llm))


def test_pause_then_resume_does_not_redo_documented_modules(stack: Stack, llm: LLMStandIn, model: str, git_repo) -> None:
    names = [f"part{i}" for i in range(8)]
    repo_id = make_repo(stack, git_repo, names)
    llm.add("slow", model=model, delay=0.4)
    job_id = start_job(stack, repo_id, model)
    stack.poll_job(job_id, until=lambda j: j["status"] == "running" and j["processed_objects"] >= 1, timeout=20, interval=0.05)
    r = stack.api("POST", f"/api/documentation/jobs/{job_id}/pause")
    assert r.status == 200, r.body
    asked = time.monotonic()
    paused = stack.poll_job(job_id, until=("paused",), timeout=8, interval=0.1)
    assert time.monotonic() - asked <= 5
    done_before = {p for p, o in objects(stack, job_id).items() if o["status"] == "done"}
    assert len(done_before) == paused["processed_objects"] and done_before, paused
    time.sleep(0.5)
    seen = len(llm.requests(model))
    assert all(r["t_start"] <= asked + 1.5 for r in llm.requests(model)), "requests went on after the pause"

    r = stack.api("POST", f"/api/documentation/jobs/{job_id}/resume")
    assert r.status == 200, r.body
    job = stack.poll_job(job_id, until=("completed",), timeout=40, interval=0.1)
    assert (job["processed_objects"], job["failed_objects"]) == (len(names), 0), job
    after = llm.requests(model)[seen:]
    assert after, "the resumed worker asked the LLM for the remaining modules"
    assert not {r["module"] for r in after} & done_before, "modules documented before the pause were asked again"
    # The totals are what the provider billed, both attempts together.
    assert_totals_match(job, llm.requests(model))
    pages = stack.api("GET", f"/api/repositories/{repo_id}/pages").body["pages"]
    assert {p["module"] for p in pages if p["kind"] == "module"} == set(names)


def test_the_key_is_never_written_anywhere(stack: Stack, llm: LLMStandIn, model: str, git_repo) -> None:
    """After the jobs of this module ran (and this one): logs, answers, pages, the database's key column."""
    repo_id = make_repo(stack, git_repo, ["core", "storage"])
    job_id = start_job(stack, repo_id, model)
    stack.poll_job(job_id, until=("completed",), timeout=30, interval=0.1)
    assert_no_secret(stack, job_id)

    logs = [stack.fcgi_log, *sorted((stack.data_dir / "logs").glob("*"))]
    assert len(logs) > 1, "the workers write logs under the data folder"
    for log in logs:
        text = log.read_bytes()
        for secret in (KEY, WRONG_KEY):
            assert secret.encode() not in text and secret[6:26].encode() not in text, f"a key is in {log}"
    for page in (stack.data_dir / "docs").rglob("*"):
        if page.is_file():
            data = page.read_bytes()
            assert KEY.encode() not in data and WRONG_KEY.encode() not in data, f"a key is in {page}"

    # The settings endpoint says whether a key is set, never which.
    r = stack.api("PUT", "/api/organisation/llm", {"base_url": llm.base_url, "model": "standin-default"})
    assert r.status == 200 and r.body["api_key_set"] is True and KEY not in str(r.body), r.body
    # Only an administrator may change it.
    member = stack.cli("user", "create", "--org", "e2e", "--email", f"member-{secrets.token_hex(3)}@e2e.test").stdout.strip()
    r = stack.api("PUT", "/api/organisation/llm", {"base_url": llm.base_url, "model": "x", "api_key": "sk-member"}, token=member)
    assert r.status == 403, r.body
    # Stored encrypted: the plaintext is not in the column (read as hex, so the key goes in no psql argv).
    stored = [bytes.fromhex(h) for h in stack.psql(
        "SELECT encode(llm_key_enc, 'hex') FROM organisations WHERE llm_key_enc IS NOT NULL").split()]
    assert stored, "organisation e2e has a stored key"
    assert not any(KEY.encode() in b or KEY[6:26].encode() in b for b in stored)
