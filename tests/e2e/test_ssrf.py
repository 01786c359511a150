"""Outbound requests reach only what is allowed (SPEC §5): git, GitHub's API and the LLM API.

The stand-ins listen on 127.0.0.1, so the test stack allows private networks
(SCRIBE_ALLOW_PRIVATE_NETWORKS=1, see harness.Stack.TEST_ENV). The tests of the refusals restart
scribe-fcgi as production runs it (the `private_networks_refused` fixture), point it at a stand-in
through a refused address in some spelling, and check both that the job says why and that the
stand-in was never reached. The rest run with private networks allowed, as what they test does not
depend on addresses: git's redirect refusal, the allowed-hosts port rule, the registration rules,
the key-follows-URL rule and the strict parsing of the LLM settings.
"""

from __future__ import annotations

import json
import secrets
import socket
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

import pytest

from gitrepos import make_git_repo
from harness import DEFAULT, Stack

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from standins.git_http import GitHTTPServer  # noqa: E402
from standins.github import GitHubAPI  # noqa: E402
from standins.llm import LLMStandIn  # noqa: E402
from standins.redirect import RedirectServer  # noqa: E402

REPO = "acme/widgets"


@pytest.fixture(scope="module")
def git_target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GitHTTPServer]:
    """A public git server (no token needed) with a real repository: whatever reaches it could clone."""
    server = GitHTTPServer(tmp_path_factory.mktemp("git-target"), token=None).start()
    source = make_git_repo(tmp_path_factory.mktemp("source"), modules={"core": None, "storage": None})
    server.create_repository(REPO, source)
    try:
        yield server
    finally:
        server.stop()


def run_to_end(stack: Stack, repo_id: str, timeout: float = 60) -> dict:
    return stack.poll_job(stack.generate(repo_id), until=("completed", "failed"), timeout=timeout)


def run_llm_job(stack: Stack, git_repo: Callable[..., Path], token: Any = DEFAULT) -> dict:
    """An `llm` job on a new repository, run to its end."""
    repo_id = stack.add_repository(git_repo(name="demo-" + secrets.token_hex(3)), token=token)
    r = stack.api("POST", "/api/documentation/jobs", {"repository_id": repo_id, "options": {"generator": "llm"}}, token=token)
    assert r.status == 202, r.body
    return stack.poll_job(r.body["id"], until=("completed", "failed"), timeout=60, token=token)


def repositories(stack: Stack) -> list[dict]:
    r = stack.api("GET", "/api/repositories")
    assert r.status == 200, r.body
    return r.body["repositories"] if isinstance(r.body, dict) else r.body


# --- git: redirects, the port rule, registration -------------------------------------------------


@pytest.mark.parametrize("status", [302, 308])
def test_git_does_not_follow_a_redirect_from_an_allowed_host(stack: Stack, git_target: GitHTTPServer, status: int) -> None:
    # A plain git follows this redirect and clones the target's repository (checked by hand: it does).
    redirect = RedirectServer(f"http://127.0.0.1:{git_target.port}", status=status).start()
    stack.cancel_active_jobs()
    stack.restart_fcgi(SCRIBE_ALLOWED_HOSTS=f"github.com,http://127.0.0.1:{redirect.port}")
    try:
        # The target itself is not allowed: same host, another port.
        r = stack.api("POST", "/api/repositories", {"url": git_target.url(REPO)})
        assert r.status == 400 and "not in the allowed list" in r.body["error"], r.body
        git_target.clear_log()

        repo_id = stack.add_repository(f"{redirect.base_url}/{REPO}.git")
        job = run_to_end(stack, repo_id)
        assert job["status"] == "failed", job
        assert "redirect" in job["error_message"] and str(status) in job["error_message"], job["error_message"]
        assert job["attempt"] == 1, "a redirect is refused for good: no retry"
        assert redirect.requests(), "git asked the allowed host"
        assert git_target.requests() == [], "nothing reached the redirect's target"
        assert stack.api("GET", f"/api/repositories/{repo_id}/pages").status == 404
    finally:
        redirect.stop()
        stack.restart_fcgi()


def test_allowed_hosts_include_the_port(stack: Stack) -> None:
    # The test stack allows github.com (the default): port 443 only.
    for url in ("https://github.com:8443/acme/port-rule", "https://github.com:80/acme/port-rule"):
        r = stack.api("POST", "/api/repositories", {"url": url})
        assert r.status == 400 and r.headers["Content-Type"].startswith("application/json"), (url, r.status, r.body)
        assert "github.com:" in r.body["error"] and "not in the allowed list" in r.body["error"], r.body
    r = stack.api("POST", "/api/repositories", {"url": "https://github.com:443/acme/port-rule"})
    assert r.status == 201, r.body
    assert r.body["url"] == "https://github.com/acme/port-rule"


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/acme/with space", "https://github.com/acme/widgets ", " https://github.com/acme/widgets",
        "https://github.com/acme/widgets\n", "https://github.com/acme/wid\tgets", "https://github.com/acme/wid\x00gets",
        "https://github.com/acme/widgets\r\nX-Injected: 1", "https://github.com/acme/wid\x7fgets",
        "https://github.com/acme/wid\u0085gets", "https://github.com/acme/wid\u00a0gets", "https://github.com/acme/\u202ewidgets",
        "https://github.com/acme/wid%0agets", "https://github.com/acme/wid%00gets",
        "https://user:hunter2@github.com/acme/widgets", "https://ghp_abc@github.com/acme/widgets", "https://@github.com/acme/widgets",
        # git's other transports never reach git.
        "ext::sh -c touch% /tmp/scribe-pwned", "ssh://-oProxyCommand=touch/tmp/scribe-pwned/acme/widgets",
        "git@github.com:acme/widgets.git", "git://github.com/acme/widgets", "fd::17/acme/widgets",
    ],
)
def test_repository_urls_with_spaces_control_characters_userinfo_or_other_transports_are_refused(stack: Stack, url: str) -> None:
    before = len(repositories(stack))
    r = stack.api("POST", "/api/repositories", {"url": url})
    assert r.status == 400, (url, r.status, r.body)
    assert r.headers["Content-Type"].startswith("application/json") and set(r.body) == {"error"}, r.body
    assert "hunter2" not in r.body["error"] and "ghp_abc" not in r.body["error"]
    assert len(repositories(stack)) == before


# --- refused addresses (private networks refused, as in production) ------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "2130706433", "[::1]", "localhost"])
def test_git_host_at_a_refused_address_is_not_contacted(
    stack: Stack, git_target: GitHTTPServer, private_networks_refused: Callable[..., None], host: str
) -> None:
    origin = f"http://{host}:{git_target.port}"
    private_networks_refused(SCRIBE_ALLOWED_HOSTS=f"github.com,{origin}")
    git_target.clear_log()
    repo_id = stack.add_repository(f"{origin}/{REPO}.git")  # allowed by the configuration…
    job = run_to_end(stack, repo_id)
    assert job["status"] == "failed", job
    message = job["error_message"]
    assert message.startswith("Repository host refused:") and "loopback" in message, message
    assert job["attempt"] == 1
    assert git_target.requests() == [], "…but never contacted"


@pytest.mark.parametrize(
    "api_host", ["127.0.0.1", "2130706433", "0x7f.0.0.1", "0177.0.0.1", "[::ffff:127.0.0.1]", "[::1]", "localhost"]
)
def test_github_api_at_a_refused_address_is_not_contacted(
    stack: Stack, private_networks_refused: Callable[..., None], api_host: str
) -> None:
    """Checked on the address connected to: names and odd spellings alike."""
    api = GitHubAPI().start()
    port = urlsplit(api.url).port
    try:
        private_networks_refused(SCRIBE_GITHUB_API=f"http://{api_host}:{port}")
        repo_id = stack.add_repository("https://github.com/acme/ssrf-" + secrets.token_hex(3))
        job = run_to_end(stack, repo_id)
        assert job["status"] == "failed", job
        message = job["error_message"]
        assert "not contacted" in message and "loopback" in message, message
        assert job["attempt"] == 1, "a refused address is not retried"
        assert api.requests == []
    finally:
        api.stop()


REFUSED_BASE_URLS = [
    ("http://api.example.org/v1", "https"),
    ("https://127.0.0.1/v1", "loopback"),
    ("https://2130706433/v1", "loopback"),
    ("https://0177.0.0.1/v1", "loopback"),
    ("https://0x7f.0.0.1/v1", "loopback"),
    ("https://127.1:8443/v1", "loopback"),
    ("https://[::1]/v1", "loopback"),
    ("https://[::ffff:127.0.0.1]/v1", "loopback"),
    ("https://localhost/v1", "loopback"),
    ("https://169.254.169.254/latest/meta-data", "link-local"),
    ("https://[fe80::1]/v1", "link-local"),
    ("https://10.1.2.3/v1", "private"),
    ("https://172.16.0.9/v1", "private"),
    ("https://192.168.0.10/v1", "private"),
    ("https://100.64.1.1/v1", "carrier-grade NAT"),
    ("https://[fd00::1]/v1", "unique-local"),
    ("https://0.0.0.0/v1", "unspecified"),
    ("https://user:hunter2@api.example.org/v1", "credentials"),
    ("https://api.example.org/v1\n", "control characters"),
    ("https://api.example.org/v1?key=x", "query"),
    ("file:///etc/passwd", "https"),
]


def llm_row(stack: Stack, org: str) -> str:
    """The organisation's stored settings, the key as a digest of its ciphertext."""
    return stack.psql(
        "SELECT coalesce(llm_base_url, '-') || '|' || coalesce(llm_model, '-') || '|' || "
        f"coalesce(md5(llm_key_enc), '-') FROM organisations WHERE name = '{org}'"
    )


def test_llm_base_url_at_a_refused_address_is_refused_when_saved(
    stack: Stack, private_networks_refused: Callable[..., None]
) -> None:
    private_networks_refused()
    r = stack.api("PUT", "/api/organisation/llm",
                  {"base_url": "https://api.example.org/v1", "model": "m1", "api_key": "sk-ssrf-" + secrets.token_hex(8)})
    assert r.status == 200 and r.body["api_key_set"] is True, r.body
    before = llm_row(stack, "e2e")
    problems = []
    for url, why in REFUSED_BASE_URLS:
        r = stack.api("PUT", "/api/organisation/llm", {"base_url": url, "model": "m2", "api_key": "sk-other"})
        if r.status != 400 or not isinstance(r.body, dict) or why not in r.body.get("error", "") or "hunter2" in str(r.body):
            problems.append((url, r.status, r.body))
    assert not problems, problems
    assert llm_row(stack, "e2e") == before, "a refused body changes nothing"
    stack.api("PUT", "/api/organisation/llm", {"base_url": None, "model": None, "api_key": None})


class Listener:
    """A TCP port on 127.0.0.1 that counts the connections it accepts (and closes them)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        # shutdown() wakes the thread blocked in accept(); close() alone does not (Linux), and the thread would
        # later accept, on the reused descriptor number, a connection meant for another server of the session.
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.thread.join(timeout=10)
        self.sock.close()


def test_llm_endpoint_named_by_a_name_that_resolves_to_loopback_is_refused_on_connect(
    stack: Stack, private_networks_refused: Callable[..., None], git_repo
) -> None:
    """The server's own endpoint passes the save-time checks (a name, https); the connection is refused."""
    listener = Listener()
    env_key = "sk-env-" + secrets.token_hex(12)
    try:
        private_networks_refused(
            SCRIBE_LLM_BASE_URL=f"https://localhost:{listener.port}/v1", SCRIBE_LLM_API_KEY=env_key,
            SCRIBE_LLM_MODEL="ssrf-model", SCRIBE_LLM_MAX_RETRIES="1",
        )
        stack.api("PUT", "/api/organisation/llm", {"base_url": None, "model": None, "api_key": None})
        job = run_llm_job(stack, git_repo)
        assert job["status"] == "failed", job
        message = job["error_message"]
        assert "not contacted" in message and "localhost" in message and "loopback" in message, message
        assert listener.accepted == 0
        assert env_key not in json.dumps(job)
    finally:
        listener.close()


def test_a_stored_base_url_is_checked_again_by_the_worker(
    stack: Stack, private_networks_refused: Callable[..., None], git_repo
) -> None:
    """A URL stored before these rules (written here with SQL) is refused before any connection."""
    listener = Listener()
    key = "sk-old-" + secrets.token_hex(12)
    try:
        private_networks_refused(SCRIBE_LLM_MAX_RETRIES="1")
        r = stack.api("PUT", "/api/organisation/llm", {"base_url": "https://api.example.org/v1", "model": "m", "api_key": key})
        assert r.status == 200, r.body
        stack.psql(f"UPDATE organisations SET llm_base_url = 'https://127.0.0.1:{listener.port}/v1' WHERE name = 'e2e'")
        job = run_llm_job(stack, git_repo)
        assert job["status"] == "failed", job
        assert "LLM base URL" in job["error_message"] and "loopback" in job["error_message"], job["error_message"]
        assert listener.accepted == 0
        assert key not in json.dumps(job)
    finally:
        listener.close()
        stack.api("PUT", "/api/organisation/llm", {"base_url": None, "model": None, "api_key": None})


# --- the key follows the URL; the settings are parsed strictly -----------------------------------


def test_a_stored_key_is_only_sent_to_the_base_url_it_was_stored_with(stack: Stack, git_repo, tmp_path: Path) -> None:
    keys = {name: f"sk-{name}-" + secrets.token_hex(12) for name in ("server", "a", "b")}
    server, a, b = (LLMStandIn(key=keys[n]).start() for n in ("server", "a", "b"))
    org = "ssrf-llm-" + secrets.token_hex(3)
    admin = stack.cli("user", "create", "--org", org, "--email", f"admin@{org}.test", "--admin").stdout.strip()
    stack.cancel_active_jobs()
    stack.restart_fcgi(SCRIBE_LLM_BASE_URL=server.base_url, SCRIBE_LLM_API_KEY=keys["server"], SCRIBE_LLM_MODEL="m")

    def put(body: dict) -> dict:
        r = stack.api("PUT", "/api/organisation/llm", body, token=admin)
        assert r.status == 200, r.body
        assert not any(k in json.dumps(r.body) for k in keys.values())
        return r.body

    try:
        assert put({"base_url": a.base_url, "model": "m", "api_key": keys["a"]})["api_key_set"] is True
        # The same URL again, without a key: the key stays.
        same = put({"base_url": a.base_url + "/", "model": "m"})
        assert same["api_key_set"] is True and "api_key_cleared" not in same, same
        # Another URL without a key: the key is removed, and the answer says so.
        moved = put({"base_url": b.base_url, "model": "m"})
        assert moved["api_key_set"] is False and moved["api_key_cleared"] is True, moved
        assert "base_url" in moved["message"], moved
        assert stack.psql(f"SELECT llm_key_enc IS NULL FROM organisations WHERE name = '{org}'") == "t"

        job = run_llm_job(stack, git_repo, token=admin)
        assert job["status"] == "failed" and job["error_message"] == "No LLM API key configured", job
        # Neither A's key nor the server's own key went anywhere, least of all to the new URL.
        assert a.requests() == [] and b.requests() == [] and server.requests() == []

        # With its own key the new URL works: the failure above was the rule, not a broken set-up.
        put({"base_url": b.base_url, "model": "m", "api_key": keys["b"]})
        job = run_llm_job(stack, git_repo, token=admin)
        assert job["status"] == "completed", job
        assert b.requests() and all(r["auth_ok"] for r in b.requests())
        assert a.requests() == [] and server.requests() == []

        # The CLI follows the same rule.
        cli = stack.cli("org", "set-llm", "--org", org, "--base-url", a.base_url, "--model", "m", "--keep-key")
        assert "removed" in cli.stdout, cli.stdout
        assert stack.psql(f"SELECT llm_key_enc IS NULL FROM organisations WHERE name = '{org}'") == "t"
    finally:
        stack.cancel_active_jobs()
        stack.restart_fcgi()
        for s in (server, a, b):
            s.stop()


@pytest.mark.parametrize(
    "body",
    [
        {"base_url": 12345}, {"base_url": True}, {"base_url": ["https://api.example.org/v1"]},
        {"base_url": {"url": "https://api.example.org/v1"}}, {"model": 7}, {"model": ["m"]}, {"api_key": 42},
        {"api_key": {"value": "sk"}}, {"base_url": "https://api.example.org/v1", "unknown": 1}, {"baseurl": "https://x.example"},
        "[]", "\"https://api.example.org/v1\"", "{\"base_url\": ", "",
    ],
)
def test_wrong_types_in_llm_settings_are_400_and_change_nothing(stack: Stack, body: Any) -> None:
    set_up = stack.api("PUT", "/api/organisation/llm",
                       {"base_url": "https://api.example.org/v1", "model": "keep-me", "api_key": "sk-keep-" + secrets.token_hex(6)})
    assert set_up.status == 200, set_up.body
    before = llm_row(stack, "e2e")
    try:
        r = stack.api("PUT", "/api/organisation/llm", body)
        assert r.status == 400, (body, r.status, r.body)
        assert r.headers["Content-Type"].startswith("application/json") and set(r.body) == {"error"}, r.body
        assert llm_row(stack, "e2e") == before
    finally:
        stack.api("PUT", "/api/organisation/llm", {"base_url": None, "model": None, "api_key": None})
