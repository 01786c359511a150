"""A real git smart-HTTP server for tests: git's own `git-http-backend`, run by `fcgiwrap`
behind a private nginx (its own prefix folder and port), as GitHub serves git over HTTPS.

    server = GitHTTPServer(tmp_path / "git-http", token="ghp_secret").start()
    server.create_repository("acme/widgets", source=work_tree)     # a bare copy under its root
    url = server.url("acme/widgets")                                # http://127.0.0.1:PORT/acme/widgets.git
    ...
    server.stop()

nginx refuses (401 with GitHub's `WWW-Authenticate: Basic realm="GitHub"`) every request
whose Authorization header is not exactly `Basic base64(x-access-token:TOKEN)` (what GitHub
accepts for a token), so a clone works only when the client sends the token. The access
log records each request (method, path, status, whether an Authorization header came and
whether it was the right one) without the header's value.

With `token=None` it serves without authentication (a public repository), so that a test can
tell from the access log alone whether anything reached it.

`delay` (seconds, settable while running) makes every git request wait before
git-http-backend starts, so that a test can watch the processes of a clone.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

GIT_HTTP_BACKEND = "/usr/lib/git-core/git-http-backend"
_CLEAN_GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_TERMINAL_PROMPT": "0"}


def basic_token_header(token: str) -> str:
    """The Authorization header GitHub accepts for git over HTTPS with a token."""
    return "Basic " + base64.b64encode(f"x-access-token:{token}".encode()).decode()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def _git(*args: str, cwd: Path | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(_CLEAN_GIT_ENV)
    r = subprocess.run(
        ["git", "-c", "user.name=Scribe Tests", "-c", "user.email=tests@scribe.invalid", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=60,
    )
    if r.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {r.stderr.strip()}")
    return r.stdout.strip()


class GitHTTPServer:
    def __init__(self, work_dir: Path, token: str | None) -> None:
        for tool in ("nginx", "fcgiwrap"):
            if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
                raise RuntimeError(f"{tool} is not installed (scripts/install-deps.sh --test)")
        if not Path(GIT_HTTP_BACKEND).exists():
            raise RuntimeError(f"{GIT_HTTP_BACKEND} is missing (the git package)")
        self.work_dir = Path(work_dir).resolve()
        self.root = self.work_dir / "repositories"  # GIT_PROJECT_ROOT
        self.prefix = self.work_dir / "nginx"
        self.socket = self.work_dir / "fcgiwrap.sock"
        self.access_log = self.prefix / "logs" / "access.log"
        self.token = token
        self.port = 0
        self._nginx: subprocess.Popen | None = None
        self._fcgiwrap: subprocess.Popen | None = None

    # --- repositories ---------------------------------------------------------------------

    def url(self, full_name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{full_name}.git"

    def repository_path(self, full_name: str) -> Path:
        return self.root / f"{full_name}.git"

    def create_repository(self, full_name: str, source: Path | None = None, head: str | None = None) -> Path:
        """A bare repository `owner/name.git` with every branch of `source` (a work tree), or
        an empty one without `source`. `head` sets the branch HEAD names."""
        bare = self.repository_path(full_name)
        bare.parent.mkdir(parents=True, exist_ok=True)
        if source is None:
            _git("init", "-q", "--bare", "-b", head or "main", str(bare))
        else:
            _git("clone", "-q", "--bare", "--no-local", str(source), str(bare))
            if head:
                _git("symbolic-ref", "HEAD", f"refs/heads/{head}", cwd=bare)
        # As GitHub does: fetching a reachable commit by its id is allowed.
        _git("config", "uploadpack.allowReachableSHA1InWant", "true", cwd=bare)
        _git("config", "http.receivepack", "false", cwd=bare)
        return bare

    def push(self, full_name: str, source: Path, *refspecs: str) -> None:
        """Updates the bare repository from a work tree (the test's stand-in for a push to GitHub)."""
        _git("push", "-q", "--force", str(self.repository_path(full_name)), *(refspecs or ("--all",)), cwd=source)

    # --- delay ----------------------------------------------------------------------------

    @property
    def delay(self) -> float:
        try:
            return float((self.work_dir / "delay").read_text() or 0)
        except (OSError, ValueError):
            return 0.0

    @delay.setter
    def delay(self, seconds: float) -> None:
        (self.work_dir / "delay").write_text(f"{seconds:g}" if seconds else "")

    # --- what it was asked ----------------------------------------------------------------

    def requests(self) -> list[dict[str, Any]]:
        """Every request so far: {"method", "path", "query", "status", "auth_sent", "auth_ok"}."""
        try:
            lines = self.access_log.read_text().splitlines()
        except OSError:
            return []
        return [json.loads(line) for line in lines if line.strip()]

    def clear_log(self) -> None:
        try:
            with open(self.access_log, "r+") as f:
                f.truncate(0)
        except OSError:
            pass

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> "GitHTTPServer":
        self.root.mkdir(parents=True, exist_ok=True)
        for d in ("conf", "logs", "tmp"):
            (self.prefix / d).mkdir(parents=True, exist_ok=True)
        wrapper = self.work_dir / "git-http-backend.sh"
        wrapper.write_text(
            "#!/bin/sh\n"
            "# git's own git-http-backend, after an optional delay (see GitHTTPServer.delay).\n"
            f'd=$(cat "{self.work_dir}/delay" 2>/dev/null)\n'
            'if [ -n "$d" ]; then sleep "$d"; fi\n'
            f"exec {GIT_HTTP_BACKEND}\n"
        )
        wrapper.chmod(0o755)
        self.delay = 0

        self._start_fcgiwrap()
        last = ""
        for _ in range(3):  # another process may take the free port first
            self.port = _free_port()
            self._write_conf(wrapper)
            try:
                self._start_nginx()
                return self
            except RuntimeError as e:
                last = str(e)
        self.stop()
        raise RuntimeError(f"the git HTTP server's nginx did not start: {last}")

    def stop(self) -> None:
        # Each runs in a session of its own whose group holds its children too (fcgiwrap -c forks
        # workers that outlive a TERM sent to their parent alone): the whole group is stopped.
        for attr in ("_nginx", "_fcgiwrap"):
            proc = getattr(self, attr)
            setattr(self, attr, None)
            if proc is None:
                continue
            _signal_group(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _signal_group(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            deadline = time.monotonic() + 5
            while _group_alive(proc.pid) and time.monotonic() < deadline:
                time.sleep(0.02)
            if _group_alive(proc.pid):
                _signal_group(proc.pid, signal.SIGKILL)

    def __enter__(self) -> "GitHTTPServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _start_fcgiwrap(self) -> None:
        if self.socket.exists():
            self.socket.unlink()
        env = {"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "HOME": str(self.work_dir)}
        self._fcgiwrap = subprocess.Popen(
            ["fcgiwrap", "-c", "4", "-s", f"unix:{self.socket}"],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(self.prefix / "logs" / "fcgiwrap.log", "ab"), start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while not self.socket.exists():
            if self._fcgiwrap.poll() is not None:
                raise RuntimeError(f"fcgiwrap exited with {self._fcgiwrap.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError("fcgiwrap did not create its socket")
            time.sleep(0.02)
        # nginx workers may run as another user than fcgiwrap's.
        self.socket.chmod(0o666)

    def _write_conf(self, wrapper: Path) -> None:
        p = self.prefix
        for name in ("fastcgi_params", "mime.types"):
            src = Path("/etc/nginx") / name
            if src.exists():
                shutil.copy(src, p / "conf" / name)
        user = "user root;\n" if os.geteuid() == 0 else ""
        expected = basic_token_header(self.token) if self.token is not None else ""
        refuse = (
            """            if ($git_auth_ok = 0) {
                add_header WWW-Authenticate 'Basic realm="GitHub"' always;
                return 401;
            }
"""
            if self.token is not None else ""
        )
        conf = f"""
daemon off;
{user}worker_processes 1;
pid {p}/nginx.pid;
error_log {p}/logs/error.log warn;
events {{ worker_connections 128; }}
http {{
    client_body_temp_path {p}/tmp/client;
    fastcgi_temp_path {p}/tmp/fastcgi;
    proxy_temp_path {p}/tmp/proxy;
    uwsgi_temp_path {p}/tmp/uwsgi;
    scgi_temp_path {p}/tmp/scgi;
    client_max_body_size 0;
    map_hash_bucket_size 256;  # the expected header is longer than the default bucket

    # Exactly GitHub's form for a token over git: Basic base64(x-access-token:TOKEN).
    map $http_authorization $git_auth_ok {{
        "{expected}" 1;
        default 0;
    }}
    map $http_authorization $git_auth_sent {{
        "" 0;
        default 1;
    }}
    log_format git escape=json '{{"method":"$request_method","path":"$uri","query":"$args",'
                              '"status":$status,"auth_sent":$git_auth_sent,"auth_ok":$git_auth_ok}}';
    access_log {self.access_log} git;

    server {{
        listen 127.0.0.1:{self.port};
        server_name localhost;
        location / {{
{refuse}            include {p}/conf/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME {wrapper};
            fastcgi_param GIT_PROJECT_ROOT {self.root};
            fastcgi_param GIT_HTTP_EXPORT_ALL "";
            fastcgi_param GIT_PROTOCOL $http_git_protocol;
            fastcgi_param GIT_CONFIG_NOSYSTEM 1;
            fastcgi_param PATH_INFO $uri;
            fastcgi_param REMOTE_USER x-access-token;
            fastcgi_param HOME {self.work_dir};
            fastcgi_read_timeout 120s;
            fastcgi_pass unix:{self.socket};
        }}
    }}
}}
"""
        (p / "conf" / "nginx.conf").write_text(conf)

    def _start_nginx(self) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        args = [nginx, "-p", str(self.prefix), "-c", "conf/nginx.conf", "-e", str(self.prefix / "logs" / "error.log")]
        check = subprocess.run([*args, "-t", "-q"], capture_output=True, text=True, timeout=30)
        if check.returncode != 0:
            raise RuntimeError(check.stderr.strip())
        self._nginx = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while True:
            if self._nginx.poll() is not None:
                err = (self.prefix / "logs" / "error.log").read_text(errors="replace")[-500:]
                self._nginx = None
                raise RuntimeError(f"nginx exited: {err}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            if time.monotonic() > deadline:
                raise RuntimeError("nginx did not listen in 10 s")
            time.sleep(0.02)
