"""The end-to-end harness: a private Scribe (PostgreSQL database, scribe-fcgi, nginx).

Only the standard library: the tests talk HTTP to nginx like any client does, run the
`scribe` CLI and `psql` like an operator does, and look at processes through /proc.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, NamedTuple
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
TERMINAL = frozenset({"completed", "failed", "cancelled"})
ACTIVE = frozenset({"queued", "running", "paused"})

# Stands for "the stack's admin token" in Stack.api; None means no Authorization header.
DEFAULT = object()


class ApiResponse(NamedTuple):
    status: int
    headers: http.client.HTTPMessage  # case-insensitive: headers["etag"]
    body: Any  # parsed JSON when the answer is JSON, else text ("" when empty)


class HarnessError(RuntimeError):
    """The harness could not bring the stack up (not a failed assertion of a test)."""


def wait_until(check: Callable[[], Any], timeout: float, interval: float = 0.1, what: str = "condition") -> Any:
    """Calls check until it returns something truthy and returns that; AssertionError after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def parse_time(value: str) -> datetime:
    """An RFC 3339 timestamp of the API as an aware datetime."""
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- libpq URIs -----------------------------------------------------------------------------

_PG_QUERY_ENV = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "dbname": "PGDATABASE",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "application_name": "PGAPPNAME",
}


def libpq_env(url: str) -> dict[str, str]:
    """PG* environment variables for a libpq URI, so that psql gets no secret in its argv."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise HarnessError("DATABASE_URL must be a libpq URI (postgresql://…)")
    env: dict[str, str] = {}
    if parts.username:
        env["PGUSER"] = unquote(parts.username)
    if parts.password:
        env["PGPASSWORD"] = unquote(parts.password)
    if parts.hostname:
        env["PGHOST"] = parts.hostname
    if parts.port:
        env["PGPORT"] = str(parts.port)
    if parts.path.strip("/"):
        env["PGDATABASE"] = unquote(parts.path.strip("/"))
    for key, value in parse_qsl(parts.query):
        if key in _PG_QUERY_ENV:
            env[_PG_QUERY_ENV[key]] = value
    return env


def with_database(url: str, dbname: str) -> str:
    """The same libpq URI naming another database."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "dbname"]
    return urlunsplit(parts._replace(path="/" + dbname, query=urlencode(query, safe="/")))


# --- the stack ------------------------------------------------------------------------------


class Stack:
    """A private Scribe for one test session, reachable at base_url through nginx.

    start() creates a database of its own on DATABASE_URL's server, migrates it, makes
    two organisations (each with an admin token), and starts scribe-fcgi and nginx.
    stop() undoes all of it.
    """

    # scribe-fcgi's settings for tests: short leases and heartbeats, so that rescue is
    # observable in seconds; local repositories allowed; no way out to GitHub. The stand-ins
    # (GitHub's API, git over HTTP, the LLM API) listen on 127.0.0.1, which production refuses:
    # private networks are allowed here, and the tests of that refusal turn it off with
    # start_fcgi(**Stack.PRIVATE_NETWORKS_REFUSED) (the `private_networks_refused` fixture).
    TEST_ENV = {
        "SCRIBE_ALLOW_LOCAL_REPOS": "1",
        "SCRIBE_ALLOW_PRIVATE_NETWORKS": "1",
        "SCRIBE_LEASE_SECONDS": "6",
        "SCRIBE_HEARTBEAT_SECONDS": "1",
        "SCRIBE_RETRY_BASE_SECONDS": "1",
        # A webhook retried after a 500 comes back within a second (production: 30 s, doubling).
        "SCRIBE_WEBHOOK_RETRY_BASE_SECONDS": "0.5",
        "SCRIBE_GITHUB_API": "http://127.0.0.1:9",
        "SCRIBE_LOG_LEVEL": os.environ.get("SCRIBE_E2E_LOG_LEVEL", "info"),
    }

    # What production runs with: outbound requests refuse loopback and private addresses.
    PRIVATE_NETWORKS_REFUSED = {"SCRIBE_ALLOW_PRIVATE_NETWORKS": "0"}

    def __init__(self, bin_dir: Path, work_dir: Path, server_url: str) -> None:
        self.bin_dir = bin_dir
        self.work_dir = work_dir
        self.server_url = server_url
        self.db_name = "scribe_e2e_" + secrets.token_hex(4)
        self.database_url = with_database(server_url, self.db_name)
        self.data_dir = work_dir / "data"
        self.socket = work_dir / "run" / "scribe-fcgi.sock"
        self.nginx_prefix = work_dir / "nginx"
        self.fcgi_log = work_dir / "logs" / "scribe-fcgi.log"
        self.static_dir = REPO_ROOT / "static"
        self.secret_key = secrets.token_hex(32)
        self.port = 0
        self.base_url = ""
        self.token = ""
        self.other_token = ""
        self.fcgi: subprocess.Popen | None = None
        self._db_created = False
        self._nginx_started = False

    # --- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        for exe in ("scribe", "scribe-fcgi", "scribe-worker"):
            if not (self.bin_dir / exe).is_file():
                raise HarnessError(f"{self.bin_dir / exe} is missing: run `swift build` (or set SCRIBE_BIN_DIR)")
        for folder in (self.data_dir, self.socket.parent, self.fcgi_log.parent):
            folder.mkdir(parents=True, exist_ok=True)

        self.server_psql(f'CREATE DATABASE "{self.db_name}"')
        self._db_created = True
        self.cli("migrate")
        self.token = self._create_admin("e2e", "admin@e2e.test")
        self.other_token = self._create_admin("e2e-other", "admin@other.test")

        self.start_fcgi()
        self._start_nginx()
        self.wait_healthy()

    def stop(self) -> None:
        self.stop_fcgi()
        self._kill_workers()
        if self._nginx_started:
            subprocess.run([str(REPO_ROOT / "scripts" / "nginx.sh"), "stop", str(self.nginx_prefix)], check=False)
            self._nginx_started = False
        if self._db_created:
            self.server_psql(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)', check=False)
            self._db_created = False

    def _create_admin(self, org: str, email: str) -> str:
        out = self.cli("user", "create", "--org", org, "--email", email, "--admin").stdout.strip()
        if not out or len(out.split()) != 1:
            raise HarnessError(f"`scribe user create` should print only a token, printed {len(out.splitlines())} lines")
        return out

    def _start_nginx(self) -> None:
        last_error = ""
        for _ in range(3):  # another process may take the free port first
            self.port = free_port()
            result = subprocess.run(
                [
                    str(REPO_ROOT / "scripts" / "nginx.sh"), "start", str(self.nginx_prefix), str(self.port),
                    str(self.socket), str(self.data_dir), str(self.static_dir),
                ],
                capture_output=True, text=True, timeout=30,
            )
            if result.returncode == 0:
                self._nginx_started = True
                self.base_url = f"http://127.0.0.1:{self.port}"
                return
            last_error = result.stderr
        raise HarnessError(f"nginx did not start: {last_error}")

    # --- scribe-fcgi ----------------------------------------------------------------------

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of scribe-fcgi and the CLI: the caller's, less any SCRIBE_* of its own."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCRIBE_") and k != "DATABASE_URL"}
        env.update(self.TEST_ENV)
        env.update(
            DATABASE_URL=self.database_url,
            SCRIBE_DATA_DIR=str(self.data_dir),
            SCRIBE_SOCKET=str(self.socket),
            SCRIBE_SECRET_KEY=self.secret_key,
            SCRIBE_WORKER_PATH=str(self.bin_dir / "scribe-worker"),
        )
        env.update(extra)
        return env

    def start_fcgi(self, **extra_env: str) -> None:
        """Starts scribe-fcgi with the test settings plus extra_env, and waits for its socket."""
        if self.fcgi is not None:
            raise HarnessError("scribe-fcgi is already running")
        with open(self.fcgi_log, "ab") as log:
            # Secrets given to scribe-fcgi stay out of its log, like everything it logs itself.
            shown = {k: ("(secret)" if any(w in k for w in ("TOKEN", "KEY", "SECRET", "PASSWORD")) else v)
                     for k, v in extra_env.items()}
            log.write(f"\n=== scribe-fcgi starting, extra env {sorted(shown.items())}\n".encode())
            log.flush()
            self.fcgi = subprocess.Popen(
                [str(self.bin_dir / "scribe-fcgi")],
                env=self.env(**extra_env), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )

        def socket_ready() -> bool:
            if self.fcgi is not None and self.fcgi.poll() is not None:
                raise HarnessError(f"scribe-fcgi exited with {self.fcgi.returncode}:\n{self.log_tail()}")
            if not self.socket.exists():
                return False
            with socket.socket(socket.AF_UNIX) as s:
                try:
                    s.connect(str(self.socket))
                except OSError:
                    return False
            return True

        wait_until(socket_ready, timeout=20, interval=0.05, what="scribe-fcgi's socket")

    def stop_fcgi(self, timeout: float = 10) -> float | None:
        """SIGTERM, then SIGKILL after timeout. Returns the seconds it took to exit on TERM, or None if killed."""
        proc, self.fcgi = self.fcgi, None
        if proc is None or proc.poll() is not None:
            return 0.0
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
            return time.monotonic() - started
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
            return None

    def restart_fcgi(self, **extra_env: str) -> None:
        """Restarts scribe-fcgi with other settings (e.g. SCRIBE_WORKER_OBJECT_DELAY_MS="400")."""
        self.stop_fcgi()
        self.start_fcgi(**extra_env)
        self.wait_healthy()

    def wait_healthy(self, timeout: float = 30) -> None:
        def healthy() -> bool:
            if self.fcgi is not None and self.fcgi.poll() is not None:
                raise HarnessError(f"scribe-fcgi exited with {self.fcgi.returncode}:\n{self.log_tail()}")
            try:
                return self.api("GET", "/api/health", token=None, timeout=5).status == 200
            except OSError:
                return False

        wait_until(healthy, timeout=timeout, interval=0.1, what="GET /api/health to answer 200")

    # --- workers --------------------------------------------------------------------------

    def worker_pids(self, job_id: str | None = None) -> list[int]:
        """pids of running scribe-worker processes of this stack (for job_id if given).

        The same as `pgrep -f "scribe-worker JOB_ID"`, read from /proc, with zombies left out.
        """
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if not argv or not argv[0].endswith(b"scribe-worker") or state == "Z":
                continue
            args = [a.decode(errors="replace") for a in argv[1:] if a]
            if job_id is not None and job_id not in args:
                continue
            if job_id is None and not self._is_ours(entry):
                continue
            pids.append(int(entry.name))
        return pids

    def _is_ours(self, proc_dir: Path) -> bool:
        try:
            environ = (proc_dir / "environ").read_bytes()
        except OSError:
            return False
        return self.db_name.encode() in environ or str(self.data_dir).encode() in environ

    def _kill_workers(self) -> None:
        for pid in self.worker_pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    # --- HTTP -----------------------------------------------------------------------------

    def api(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: Any = DEFAULT,
        headers: dict[str, str] | None = None,
        timeout: float = 15,
        port: int | None = None,
    ) -> ApiResponse:
        """One HTTP request through nginx. body: dict/list (sent as JSON), str or bytes (sent as is).

        port: another front on 127.0.0.1 instead of this stack's nginx (the deployment tests' Apache).
        """
        sent = dict(headers or {})
        if token is DEFAULT:
            token = self.token
        if token is not None:
            sent.setdefault("Authorization", f"Bearer {token}")
        data: bytes | None = None
        if body is not None:
            data = body if isinstance(body, bytes) else body.encode() if isinstance(body, str) else json.dumps(body).encode()
            sent.setdefault("Content-Type", "application/json")
        conn = http.client.HTTPConnection("127.0.0.1", port or self.port, timeout=timeout)
        try:
            conn.request(method, path, body=data, headers=sent)
            resp = conn.getresponse()
            raw = resp.read()
        finally:
            conn.close()
        text = raw.decode("utf-8", errors="replace")
        parsed: Any = text
        if "json" in (resp.headers.get("Content-Type") or "") and raw:
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = text
        return ApiResponse(resp.status, resp.headers, parsed)

    # --- operator tools -------------------------------------------------------------------

    def cli(self, *args: str, check: bool = True, timeout: float = 60, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        """Runs the `scribe` CLI against this stack's database."""
        result = subprocess.run(
            [str(self.bin_dir / "scribe"), *args],
            env=self.env(**(env or {})), capture_output=True, text=True, timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"scribe {' '.join(args)} exited {result.returncode}: {result.stderr.strip()}")
        return result

    def psql(self, sql: str, check: bool = True) -> str:
        """Runs SQL on this stack's database; returns unaligned, tuples-only output."""
        return self._psql(libpq_env(self.database_url), sql, check)

    def server_psql(self, sql: str, check: bool = True) -> str:
        """Runs SQL on DATABASE_URL's own database (to create and drop the stack's)."""
        return self._psql(libpq_env(self.server_url), sql, check)

    @staticmethod
    def _psql(pg_env: dict[str, str], sql: str, check: bool) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(pg_env)
        result = subprocess.run(
            ["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", sql],
            env=env, capture_output=True, text=True, timeout=60,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"psql failed: {result.stderr.strip()}")
        return result.stdout.strip()

    # --- logs -----------------------------------------------------------------------------

    def log_tail(self, lines: int = 60) -> str:
        """The end of scribe-fcgi's log and of the two newest worker logs."""
        parts = [f"--- {self.fcgi_log}\n" + _tail(self.fcgi_log, lines)]
        worker_logs = sorted((self.data_dir / "logs").glob("worker-*.log"), key=lambda p: p.stat().st_mtime)
        for log in worker_logs[-2:]:
            parts.append(f"--- {log}\n" + _tail(log, lines // 2))
        return "\n".join(parts)

    # --- conveniences the tests share -------------------------------------------------------

    def pages_of(self, job_id: str, required: bool = True) -> Path | None:
        """The pages of a job as the database holds them, written into a folder by `scribe pages export`.

        None when the job has no pages and required is False.
        """
        out = self.work_dir / "exports" / job_id
        if not (out / "index.md").is_file():
            result = self.cli("pages", "export", job_id, "--out", str(out), check=required)
            if result.returncode != 0:
                return None
        assert (out / "index.md").is_file(), f"no index.md among the pages of job {job_id}"
        return out

    def add_repository(self, url: str | os.PathLike, token: Any = DEFAULT, branch: str | None = None) -> str:
        body: dict[str, Any] = {"url": str(url)}
        if branch is not None:
            body["branch"] = branch
        r = self.api("POST", "/api/repositories", body, token=token)
        assert r.status == 201, f"POST /api/repositories: {r.status} {r.body}"
        return r.body["id"]

    def generate(self, repository_id: str, token: Any = DEFAULT) -> str:
        r = self.api("POST", "/api/generate-docs", {"repository_id": repository_id}, token=token)
        assert r.status == 202, f"POST /api/generate-docs: {r.status} {r.body}"
        return r.body["data"]["job_id"]

    def job(self, job_id: str, token: Any = DEFAULT) -> dict:
        r = self.api("GET", f"/api/documentation/jobs/{job_id}", token=token)
        assert r.status == 200, f"GET job: {r.status} {r.body}"
        return r.body

    def poll_job(
        self,
        job_id: str,
        until: Callable[[dict], bool] | Iterable[str] = ("completed",),
        timeout: float = 60,
        interval: float = 0.1,
        token: Any = DEFAULT,
        history: list | None = None,
    ) -> dict:
        """Polls a job until `until` holds (a predicate, or a set of statuses); returns the job.

        Each snapshot is appended to history as (monotonic time, job). Reaching a terminal
        state that `until` does not accept fails at once, with the job in the message.
        """
        if callable(until):
            accept = until
        else:
            wanted = frozenset(until)
            accept = lambda job: job["status"] in wanted  # noqa: E731
        deadline = time.monotonic() + timeout
        while True:
            job = self.job(job_id, token=token)
            if history is not None:
                history.append((time.monotonic(), job))
            if accept(job):
                return job
            if job["status"] in TERMINAL:
                raise AssertionError(f"job ended {job['status']} while waiting: {_job_summary(job)}")
            if time.monotonic() >= deadline:
                raise AssertionError(f"timed out after {timeout:g} s; job is {_job_summary(job)}")
            time.sleep(interval)

    def active_jobs(self, token: Any = DEFAULT) -> list[dict]:
        jobs = []
        for status in sorted(ACTIVE):
            r = self.api("GET", f"/api/documentation/jobs?status={status}&limit=100", token=token)
            if r.status == 200 and isinstance(r.body, dict):
                jobs.extend(r.body.get("jobs", []))
        return jobs

    def cancel_active_jobs(self, timeout: float = 15) -> list[str]:
        """Cancels every active job of both organisations and waits until none is active.

        Returns the ids of the jobs it had to cancel.
        """
        cancelled = []
        for token in (self.token, self.other_token):
            for job in self.active_jobs(token):
                self.api("DELETE", f"/api/documentation/jobs/{job['id']}", token=token)
                cancelled.append(job["id"])
        if cancelled:
            wait_until(
                lambda: not self.active_jobs(self.token) and not self.active_jobs(self.other_token),
                timeout=timeout, interval=0.2, what="every active job to be cancelled",
            )
        return cancelled


def _tail(path: Path, lines: int) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 200 * lines))
            return "\n".join(f.read().decode(errors="replace").splitlines()[-lines:])
    except OSError as e:
        return f"(cannot read: {e.strerror})"


def _job_summary(job: dict) -> str:
    keys = ("id", "status", "progress", "current_step", "attempt", "processed_objects", "total_objects", "error_message")
    return json.dumps({k: job.get(k) for k in keys})


def find_bin_dir() -> Path:
    """SCRIBE_BIN_DIR, else `swift build --show-bin-path` of this checkout."""
    if os.environ.get("SCRIBE_BIN_DIR"):
        return Path(os.environ["SCRIBE_BIN_DIR"])
    if shutil.which("swift") is None:
        raise HarnessError("swift is not on PATH; set SCRIBE_BIN_DIR to the folder of the built binaries")
    result = subprocess.run(
        ["swift", "build", "--show-bin-path"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )
    if result.returncode != 0:
        raise HarnessError(f"swift build --show-bin-path failed: {result.stderr.strip()}")
    return Path(result.stdout.strip().splitlines()[-1])
