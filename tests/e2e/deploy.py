"""The shipped deployments of deploy/, rendered and run for the tests, as an administrator would.

Each renderer copies a file of deploy/ and changes only what an installation changes (names,
paths, ports), asserting that each replaced text is present, so a test fails when the shipped
file drifts from what it exercises.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

from harness import REPO_ROOT, free_port, wait_until

DEPLOY = REPO_ROOT / "deploy"


def render(text: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        assert old in text, f"the shipped file no longer contains {old!r}"
        text = text.replace(old, new)
    return text


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / "fullchain.pem", folder / "privkey.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert),
        ],
        check=True, capture_output=True, timeout=60,
    )
    return cert, key


class ProductionNginx:
    """deploy/nginx/scribe.conf inside an `http` block like Debian's nginx.conf, with TLS on 127.0.0.1."""

    def __init__(self, prefix: Path, socket: Path, data_dir: Path, static_dir: Path) -> None:
        self.prefix = prefix
        self.socket, self.data_dir, self.static_dir = socket, data_dir, static_dir
        self.port = 0
        self.http_port = 0
        self._started = False

    def start(self) -> "ProductionNginx":
        conf = self.prefix / "conf"
        for sub in ("conf", "logs", "tmp", "tls"):
            (self.prefix / sub).mkdir(parents=True, exist_ok=True)
        shutil.copy("/etc/nginx/mime.types", conf / "mime.types")
        shutil.copy("/etc/nginx/fastcgi_params", conf / "fastcgi_params")
        cert, key = self_signed_certificate(self.prefix / "tls")
        last = ""
        for _ in range(3):  # another process may take a free port first
            self.port, self.http_port = free_port(), free_port()
            site = render((DEPLOY / "nginx" / "scribe.conf").read_text(), {
                "listen 80;": f"listen 127.0.0.1:{self.http_port};",
                "listen [::]:80;": "",
                "listen 443 ssl http2;": f"listen 127.0.0.1:{self.port} ssl http2;",
                "listen [::]:443 ssl http2;": "",
                "/etc/ssl/scribe/fullchain.pem": str(cert),
                "/etc/ssl/scribe/privkey.pem": str(key),
                "/srv/scribe/static": str(self.static_dir),
                "/var/lib/scribe/docs/": f"{self.data_dir}/docs/",
                "unix:/run/scribe/scribe-fcgi.sock": f"unix:{self.socket}",
            })
            (conf / "scribe.conf").write_text(site)
            user = "user root;" if os.geteuid() == 0 else ""  # test folders are private to root
            p = self.prefix
            (conf / "nginx.conf").write_text(f"""{user}
worker_processes 1;
pid "{p}/nginx.pid";
events {{ worker_connections 256; }}
http {{
    include mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log "{p}/logs/access.log";
    client_body_temp_path "{p}/tmp/body";
    fastcgi_temp_path "{p}/tmp/fastcgi";
    proxy_temp_path "{p}/tmp/proxy";
    uwsgi_temp_path "{p}/tmp/uwsgi";
    scgi_temp_path "{p}/tmp/scgi";
    include scribe.conf;
}}
""")
            result = subprocess.run(
                ["nginx", "-p", f"{p}/", "-c", "conf/nginx.conf", "-e", "logs/error.log"],
                capture_output=True, text=True, timeout=30,
            )
            if result.returncode == 0:
                self._started = True
                return self
            last = result.stderr
        raise AssertionError(f"the production nginx configuration did not start: {last}")

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if not self._started:
            return
        self._started = False
        try:
            pid = int((self.prefix / "nginx.pid").read_text().strip())
            os.kill(pid, signal.SIGTERM)
            wait_until(lambda: not _alive(pid), timeout=10, what="nginx to stop")
        except (OSError, ValueError):
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for_port(port: int, timeout: float = 20) -> None:
    import socket

    def listening() -> bool:
        with socket.socket() as s:
            s.settimeout(0.5)
            return s.connect_ex(("127.0.0.1", port)) == 0

    wait_until(listening, timeout=timeout, interval=0.1, what=f"port {port} to listen")


# --- Apache with mod_fcgid, as an ordinary user ----------------------------------------------------

APACHE_MODULES = ("mpm_event", "authz_core", "mime", "dir", "rewrite", "fcgid", "alias", "env")


class ApacheSite:
    """A home-folder install as deploy/apache/scribe.conf describes it, served by Apache as `user`.

    home/scribe/bin: the binaries and scribe-env; home/scribe/scribe.env; home/scribe/data;
    home/public_html: static/, scribe.fcgi and the .htaccess. Apache itself, mod_fcgid's
    processes, scribe-fcgi, `scribe dispatch` and the workers all run as `user`, never root.
    """

    def __init__(self, root: Path, bin_dir: Path, user: str, env: dict[str, str]) -> None:
        self.root = root
        self.home = root / "home"
        self.scribe = self.home / "scribe"
        self.public = self.home / "public_html"
        self.server = root / "apache"
        self.bin_dir = bin_dir
        self.user = user
        self.env = env
        self.port = 0
        self.token = ""
        self.proc: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def data_dir(self) -> Path:
        return self.scribe / "data"

    def install(self) -> None:
        bin_dir = self.scribe / "bin"
        for folder in (bin_dir, self.data_dir / "logs", self.public, self.server / "fcgid"):
            folder.mkdir(parents=True, exist_ok=True)
        for exe in ("scribe", "scribe-fcgi", "scribe-worker", "scribe-swift-symbols"):
            shutil.copy2(self.bin_dir / exe, bin_dir / exe)
        shutil.copy2(DEPLOY / "bin" / "scribe-env", bin_dir / "scribe-env")
        shutil.copytree(REPO_ROOT / "static", self.public, dirs_exist_ok=True)
        shutil.copy2(DEPLOY / "apache" / "scribe.fcgi", self.public / "scribe.fcgi")
        shutil.copy2(DEPLOY / "apache" / "htaccess", self.public / ".htaccess")
        lines = [f"{k}='{v}'" for k, v in self.env.items()]
        env_file = self.scribe / "scribe.env"
        env_file.write_text("\n".join(lines) + "\n")
        env_file.chmod(0o600)
        subprocess.run(["chown", "-R", f"{self.user}:", str(self.root)], check=True)
        os.chmod(self.root, 0o755)

    def start(self) -> "ApacheSite":
        last = ""
        for _ in range(3):
            self.port = free_port()
            site = render((DEPLOY / "apache" / "scribe.conf").read_text(), {
                "/home/scribe/": f"{self.home}/",
                "<VirtualHost *:80>": f"<VirtualHost 127.0.0.1:{self.port}>",
            })
            modules = "\n".join(
                f"LoadModule {m}_module /usr/lib/apache2/modules/mod_{m}.so" for m in APACHE_MODULES
            )
            s = self.server
            (s / "scribe.conf").write_text(site)
            (s / "httpd.conf").write_text(f"""ServerRoot "{s}"
ServerName 127.0.0.1
Listen 127.0.0.1:{self.port}
PidFile "{s}/httpd.pid"
ErrorLog "{s}/error.log"
LogLevel warn
{modules}
TypesConfig /etc/mime.types
FcgidIPCDir "{s}/fcgid"
FcgidProcessTableFile "{s}/fcgid/shm"
DefaultRuntimeDir "{s}"
Mutex file:{s}
<Directory />
    AllowOverride None
    Require all denied
</Directory>
Include "{s}/scribe.conf"
""")
            subprocess.run(["chown", "-R", f"{self.user}:", str(s)], check=True)
            log = open(s / "stdout.log", "ab")
            self.proc = subprocess.Popen(
                ["setpriv", f"--reuid={self.user}", f"--regid={_group_of(self.user)}", "--clear-groups",
                 "apache2", "-f", str(s / "httpd.conf"), "-DFOREGROUND"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C"},
            )
            log.close()
            try:
                wait_for_port(self.port, timeout=15)
                return self
            except AssertionError:
                self.stop()
                last = (s / "error.log").read_text(errors="replace") if (s / "error.log").exists() else ""
        raise AssertionError(f"Apache did not start: {last}")

    def run_as_user(self, command: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """A shell command as the site's user, with HOME at the install (as cron runs a crontab line)."""
        return subprocess.run(
            ["setpriv", f"--reuid={self.user}", f"--regid={_group_of(self.user)}", "--clear-groups", "sh", "-c", command],
            env={"HOME": str(self.home), "PATH": "/usr/bin:/bin", "LANG": "C"},
            capture_output=True, text=True, timeout=timeout, cwd="/",
        )

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        # mod_fcgid's processes (scribe-fcgi) run as the user in their own process group.
        for pid in _processes_under(self.root):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _group_of(user: str) -> str:
    import grp
    import pwd

    return grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name


def _processes_under(root: Path) -> list[int]:
    """Processes whose executable lives under root (the install's copies of the binaries)."""
    found = []
    needle = str(root)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            exe = os.readlink(entry / "exe")
        except OSError:
            continue
        if exe.startswith(needle):
            found.append(int(entry.name))
    return found
