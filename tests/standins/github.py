"""A local stand-in for GitHub's REST API: the two calls Scribe makes, with GitHub's answers.

    api = GitHubAPI(tokens={"ghp_valid": "octocat"})
    api.add_repository("acme/widgets", default_branch="trunk", private=True)
    api.start()                       # api.url is the REST base URL (SCRIBE_GITHUB_API)
    api.rate_limit("/user", times=1, retry_after=1)
    ...
    api.stop()

What it speaks (as api.github.com does, checked against GitHub's documentation):
- `GET /user`: 200 with the login for a known token; 401 `Bad credentials` otherwise
  (also without any Authorization header: /user needs one).
- `GET /repos/{owner}/{name}`: 200 with `default_branch`, `description`, `private`, … for a
  public repository, or a private one with a token that may see it; 404 `Not Found` else
  (GitHub hides private repositories behind 404, never 403). A bad token is 401 here too.
- Requests without a User-Agent get GitHub's 403 (GitHub refuses them).
- Every answer carries the `x-ratelimit-*` headers.
- Scripted faults, consumed in order by the next matching requests: rate limits the way GitHub
  sends them (the primary limit: 403 with `x-ratelimit-remaining: 0` and `x-ratelimit-reset`,
  no `Retry-After`; a secondary limit: 403 with its message, requests left, and `Retry-After`
  only when asked for), 5xx, slow answers and malformed bodies.

Every request is recorded (method, path, headers, time). A token (a known one, or any that
came in an Authorization header) that reaches the server anywhere else (path, query, another
header, the body) is recorded in `violations`, which a test asserts to be empty.
"""

from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

DOCS = "https://docs.github.com/rest"


@dataclass
class Repository:
    owner: str
    name: str
    default_branch: str = "main"
    description: str | None = None
    private: bool = False
    # Logins that may see it when private (the token's user); empty means every valid token.
    readers: frozenset[str] = frozenset()

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass
class Fault:
    """One scripted answer for the next request whose path starts with `path`."""

    path: str
    status: int = 500
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (a slow GitHub)
    passthrough: bool = False  # after the delay, answer normally


@dataclass
class Request:
    method: str
    path: str  # without the query
    query: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    at: float  # time.monotonic()
    status: int = 0

    @property
    def token(self) -> str | None:
        """The token of the Authorization header (`Bearer X` or `token X`), if any."""
        auth = self.headers.get("authorization", "")
        scheme, _, value = auth.partition(" ")
        return value.strip() if scheme.lower() in ("bearer", "token") and value.strip() else None


class GitHubAPI:
    def __init__(self, tokens: dict[str, str] | None = None) -> None:
        self.tokens = dict(tokens or {})  # token -> login
        self.repositories: dict[str, Repository] = {}
        self.requests: list[Request] = []
        self.violations: list[str] = []
        self._seen_tokens: set[str] = set()  # every token that came in an Authorization header
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.rate_limit_total = 5000
        self.url = ""

    # --- set-up -----------------------------------------------------------------------------

    def add_repository(self, full_name: str, **fields: Any) -> Repository:
        owner, name = full_name.split("/")
        repo = Repository(owner=owner, name=name, **fields)
        with self._lock:
            self.repositories[full_name.lower()] = repo
        return repo

    def add_token(self, token: str, login: str) -> None:
        with self._lock:
            self.tokens[token] = login

    def rate_limit(self, path: str = "/user", times: int = 1, retry_after: int | None = 1, secondary: bool = False) -> None:
        """The next `times` requests to `path` hit a rate limit, as GitHub answers it. The primary limit:
        403, `x-ratelimit-remaining: 0` and `x-ratelimit-reset` `retry_after` seconds ahead (a whole-second
        epoch, rounded up), no `Retry-After`. A secondary limit: 403 with GitHub's message and requests
        still left; `Retry-After: retry_after` unless retry_after is None (then GitHub's rule is to wait at
        least a minute)."""
        for _ in range(times):
            if secondary:
                message = (
                    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
                    "If you reach out to GitHub Support for help, please include the request ID."
                )
                doc = f"{DOCS}/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
                headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
            else:
                message = "API rate limit exceeded for user ID 1."
                doc = f"{DOCS}/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit"
                reset = math.ceil(time.time() + (retry_after or 60))
                headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset), "x-ratelimit-used": str(self.rate_limit_total)}
            body = {"message": message, "documentation_url": doc, "status": "403"}
            self.script(Fault(path, 403, json.dumps(body).encode(), headers))

    def server_error(self, path: str = "/user", times: int = 1, status: int = 500) -> None:
        for _ in range(times):
            body = {"message": "Server Error"} if status == 500 else {"message": "Service Unavailable"}
            self.script(Fault(path, status, json.dumps(body).encode()))

    def slow(self, path: str, seconds: float, times: int = 1) -> None:
        for _ in range(times):
            self.script(Fault(path, delay=seconds, passthrough=True))

    def malformed(self, path: str, times: int = 1) -> None:
        for _ in range(times):
            self.script(Fault(path, 200, b'{"login": "octo', {}))

    def script(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def reset(self) -> None:
        """Forgets scripted faults and recorded requests (the tokens and repositories stay)."""
        with self._lock:
            self._faults.clear()
            self.requests.clear()
            self.violations.clear()

    def calls(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> "GitHubAPI":
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "GitHub.com"
            sys_version = ""

            def version_string(self) -> str:
                return "GitHub.com"

            def log_message(self, *args: Any) -> None:  # the test's output stays quiet
                pass

            def _handle(self) -> None:
                api._serve(self)

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="github-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "GitHubAPI":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # --- the protocol -----------------------------------------------------------------------

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length > 0 else b""
        headers = {k.lower(): v for k, v in h.headers.items()}
        req = Request(h.command, unquote(parts.path), parts.query, headers, body, time.monotonic())
        with self._lock:
            self.requests.append(req)
            if req.token:
                self._seen_tokens.add(req.token)
            known = list(self.tokens) + sorted(self._seen_tokens)
            fault = next((f for f in self._faults if req.path.startswith(f.path)), None)
            if fault is not None:
                self._faults.remove(fault)
        self._check_token_placement(req, known)

        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and not fault.passthrough:
            self._send(h, req, fault.status, fault.body, fault.headers)
            return
        status, payload = self._answer(req)
        self._send(h, req, status, json.dumps(payload).encode())

    def _check_token_placement(self, req: Request, known: list[str]) -> None:
        places = {"path": req.path, "query": unquote(req.query), "body": req.body.decode("utf-8", "replace")}
        places.update({f"header {k}": v for k, v in req.headers.items() if k != "authorization"})
        for token in known:
            for where, text in places.items():
                if token in text:
                    with self._lock:
                        self.violations.append(f"{req.method} {req.path}: a token arrived in the {where}")

    def _answer(self, req: Request) -> tuple[int, Any]:
        if "user-agent" not in req.headers:
            return 403, {
                "message": "Request forbidden by administrative rules. "
                "Please make sure your request has a User-Agent header "
                "(https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required).",
            }
        token = req.token
        with self._lock:
            login = self.tokens.get(token) if token else None
        if token is not None and login is None:
            return 401, {"message": "Bad credentials", "documentation_url": DOCS, "status": "401"}
        if req.method != "GET":
            return 404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"}
        if req.path == "/user":
            if login is None:
                return 401, {
                    "message": "Requires authentication",
                    "documentation_url": f"{DOCS}/users/users#get-the-authenticated-user", "status": "401",
                }
            return 200, {
                "login": login, "id": 1000 + len(login), "type": "User", "site_admin": False,
                "html_url": f"https://github.com/{login}", "name": login.capitalize(),
            }
        segments = [s for s in req.path.split("/") if s]
        if len(segments) == 3 and segments[0] == "repos":
            with self._lock:
                repo = self.repositories.get(f"{segments[1]}/{segments[2]}".lower())
            visible = repo is not None and (
                not repo.private or (login is not None and (not repo.readers or login in repo.readers))
            )
            if not visible:
                return 404, {
                    "message": "Not Found",
                    "documentation_url": f"{DOCS}/repos/repos#get-a-repository", "status": "404",
                }
            return 200, {
                "id": 4242, "name": repo.name, "full_name": repo.full_name, "private": repo.private,
                "owner": {"login": repo.owner, "type": "Organization"},
                "html_url": f"https://github.com/{repo.full_name}", "description": repo.description,
                "fork": False, "default_branch": repo.default_branch, "visibility": "private" if repo.private else "public",
                "permissions": {"admin": False, "push": False, "pull": True} if login else None,
            }
        return 404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"}

    def _send(
        self, h: BaseHTTPRequestHandler, req: Request, status: int, body: bytes, extra: dict[str, str] | None = None,
    ) -> None:
        req.status = status
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "x-github-api-version-selected": "2022-11-28",
            "x-ratelimit-limit": str(self.rate_limit_total),
            "x-ratelimit-remaining": str(self.rate_limit_total - 1),
            "x-ratelimit-reset": str(int(time.time()) + 3600),
            "x-ratelimit-resource": "core",
            "x-github-request-id": f"0000:{len(self.requests):04X}",
        }
        headers.update(extra or {})
        h.send_response(status)
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if req.method != "HEAD":
            h.wfile.write(body)
