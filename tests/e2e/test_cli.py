"""The `scribe` command line as a person and a script meet it: option checks, exit codes, words, the bar.

Exit codes: 0 done, 1 the command failed at run time (one line, no usage), 2 the command line is wrong.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pty
import re
import struct
import subprocess
import termios
import time
from pathlib import Path

import pytest

from gitrepos import make_git_repo
from harness import Stack

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
UNREACHABLE = "postgresql://postgres@/scribe?host=/nonexistent-scribe-socket-dir&port=1"


@pytest.mark.parametrize("args, message", [
    (("jobs", "--status", "bogus"), "unknown status 'bogus'; expected one of queued, running, paused, completed, failed, cancelled"),
    (("jobs", "--limit", "-1"), "--limit must be between 1 and 1000, got -1"),
    (("jobs", "--limit", "0"), "--limit must be between 1 and 1000, got 0"),
    (("jobs", "--limit", "many"), "many"),
    (("jobs", "--colour"), "--colour"),
    (("frobnicate",), "frobnicate"),
])
def test_a_wrong_command_line_is_exit_2_with_the_reason(stack: Stack, args: tuple[str, ...], message: str) -> None:
    r = stack.cli(*args, check=False)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert message in r.stderr and r.stdout == "", r.stderr


def test_valid_filters_still_list_jobs(stack: Stack) -> None:
    r = stack.cli("jobs", "--status", "completed", "--limit", "1000")
    assert r.returncode == 0 and r.stderr == ""


def test_a_run_time_failure_is_exit_1_in_one_line_without_the_usage(stack: Stack) -> None:
    for args in (("jobs",), ("migrate", "--check"), ("repo", "list", "--org", "x")):
        r = stack.cli(*args, check=False, env={"DATABASE_URL": UNREACHABLE})
        assert r.returncode == 1, (args, r.returncode, r.stderr)
        assert r.stderr.startswith("scribe: cannot connect to the database"), r.stderr
        assert "Usage:" not in r.stderr and "USAGE" not in r.stderr
    missing = stack.cli("job", "get", "00000000-0000-4000-8000-000000000000", check=False)
    assert missing.returncode == 1 and missing.stderr.strip() == "scribe: no job with id 00000000-0000-4000-8000-000000000000"


def test_generate_explains_file_errors_in_words(stack: Stack, tmp_path: Path) -> None:
    repo = make_git_repo(tmp_path)
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder\n")
    r = subprocess.run([str(stack.bin_dir / "scribe"), "generate", str(repo), "--out", str(a_file)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and f"--out {a_file} is a file" in r.stderr, r.stderr
    below_a_file = a_file / "docs"
    r = subprocess.run([str(stack.bin_dir / "scribe"), "generate", str(repo), "--out", str(below_a_file)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1, r
    assert "NSCocoaErrorDomain" not in r.stderr and "Code=" not in r.stderr, r.stderr
    assert r.stderr.startswith(f"scribe: cannot write {below_a_file}: {a_file} is a file, not a folder"), r.stderr


def run_in_terminal(argv: list[str], columns: int, timeout: float = 60) -> tuple[int, str]:
    """Runs argv with stdout on a pseudo-terminal `columns` wide; returns its status and what the terminal got."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    out = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    proc.wait(timeout=10)
    return proc.returncode, out.decode(errors="replace")


@pytest.mark.parametrize("columns", [20, 40, 120])
def test_the_progress_bar_stays_on_one_line_at_any_width(stack: Stack, tmp_path: Path, columns: int) -> None:
    repo = make_git_repo(tmp_path, modules={f"m{i}": None for i in range(6)})
    status, screen = run_in_terminal(
        [str(stack.bin_dir / "scribe"), "generate", str(repo), "--out", str(tmp_path / "out")], columns)
    assert status == 0, screen
    frames = [f for f in re.split(r"\r|\n", screen.replace("\x1b[2K", "")) if f.strip()]
    bars = [f for f in frames if re.search(r"\d+%", f)]
    assert bars, f"no progress was drawn: {screen!r}"
    assert all(len(f) < columns for f in bars), [f for f in bars if len(f) >= columns]
    assert any("100%" in f for f in bars)
    # One line: the bar never moves down, only the summary line follows it.
    assert screen.count("\n") == 1 and "modules" in frames[-1], screen


def test_no_progress_bar_when_stdout_is_not_a_terminal(stack: Stack, tmp_path: Path) -> None:
    repo = make_git_repo(tmp_path)
    r = subprocess.run([str(stack.bin_dir / "scribe"), "generate", str(repo), "--out", str(tmp_path / "out")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    # The bar redraws with carriage returns as `[###---]  42%`; the one summary line may state coverage in %.
    assert "\r" not in r.stdout + r.stderr and "[#" not in r.stdout + r.stderr and "[-" not in r.stdout + r.stderr
    assert r.stdout.count("\n") == 1 and "modules" in r.stdout
    assert not re.search(r"\d%\s", r.stdout + r.stderr), "no progress percentage is printed"


# --- the admin commands a person runs to set Scribe up, end to end ---------------------------------------


def scribe_stdin(stack: Stack, args: tuple[str, ...], stdin: str) -> subprocess.CompletedProcess:
    """`scribe ARGS` with standard input (secrets come that way, never by argv)."""
    return subprocess.run([str(stack.bin_dir / "scribe"), *args], input=stdin, env=stack.env(),
                          capture_output=True, text=True, timeout=60)


def new_user(stack: Stack, org: str) -> tuple[str, str]:
    email = f"{org}@example.test"
    token = stack.cli("user", "create", "--org", org, "--email", email).stdout.strip()
    return email, token


def test_token_create_prints_a_second_working_token_stored_only_as_its_digest(stack: Stack) -> None:
    org = f"cli-tokens-{os.getpid()}"
    email, first = new_user(stack, org)
    r = stack.cli("token", "create", "--email", email)
    second = r.stdout.strip()
    assert re.fullmatch(r"scr_[0-9a-f]{64}", second) and r.stdout == second + "\n", r.stdout
    assert second != first
    for token in (first, second):
        me = stack.api("GET", "/api/me", token=token)
        assert me.status == 200 and me.body["user"]["email"] == email, me.body
    digests = stack.psql(
        "SELECT encode(t.token_hash, 'hex') FROM api_tokens t JOIN users u ON u.id = t.user_id "
        f"WHERE u.email = '{email}' ORDER BY t.created_at").split()
    assert digests == [hashlib.sha256(t.encode()).hexdigest() for t in (first, second)]
    assert second not in stack.psql("SELECT string_agg(t::text, ' ') FROM api_tokens t")

    unknown = stack.cli("token", "create", "--email", "nobody@example.test", check=False)
    assert unknown.returncode == 1 and unknown.stderr.strip() == "scribe: no user with e-mail nobody@example.test"


def test_repo_add_enqueue_jobs_and_job_get_work_together(no_dispatcher: Stack, tmp_path: Path) -> None:
    stack = no_dispatcher  # the job stays queued, so what the commands print can be checked exactly
    org = f"cli-repos-{os.getpid()}"
    _, token = new_user(stack, org)
    repo = make_git_repo(tmp_path, name="cli-demo")

    repo_id = stack.cli("repo", "add", str(repo), "--org", org, "--branch", "main").stdout.strip()
    assert UUID.fullmatch(repo_id), repo_id
    again = stack.cli("repo", "add", str(repo), "--org", org, "--branch", "main").stdout.strip()
    assert again == repo_id, "the same repository and branch are registered once"
    shown = stack.api("GET", f"/api/repositories/{repo_id}", token=token)
    assert shown.status == 200 and (shown.body["url"], shown.body["branch"]) == (str(repo), "main"), shown.body
    other_org = stack.cli("repo", "add", str(repo), "--org", "no-such-org", check=False)
    assert other_org.returncode == 1 and other_org.stderr.strip() == "scribe: no organisation named no-such-org"

    job_id = stack.cli("enqueue", repo_id, "--options", '{"regenerate_all": true}').stdout.strip()
    assert UUID.fullmatch(job_id), job_id
    again = stack.cli("enqueue", repo_id, check=False)
    assert again.returncode == 1, again
    assert again.stderr.strip() == f"scribe: Documentation generation is already in progress (job {job_id})"

    job = json.loads(stack.cli("job", "get", job_id).stdout)
    assert (job["id"], job["repository_id"], job["status"], job["attempt"]) == (job_id, repo_id, "queued", 0), job
    assert job["options"]["regenerate_all"] is True and job["options"]["branch"] == "main", job["options"]
    # The same fields as the API's answer (which adds what it computes, such as coverage).
    api_job = stack.api("GET", f"/api/documentation/jobs/{job_id}", token=token).body
    assert {k: api_job.get(k) for k in job} == job

    listed = [line for line in stack.cli("jobs", "--status", "queued", "--limit", "1000").stdout.splitlines()
              if line.startswith(job_id)]
    assert len(listed) == 1, listed
    assert re.fullmatch(rf"{job_id}  queued \s*0%  attempt 0/\d+  cli-demo  Queued ?", listed[0]), listed[0]
    assert not any(line.startswith(job_id) for line in stack.cli("jobs", "--status", "failed").stdout.splitlines())


def test_user_set_github_token_stores_it_sealed_with_the_servers_key(stack: Stack) -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    email, _ = new_user(stack, f"cli-github-{os.getpid()}")
    github_token = "ghp_" + os.urandom(18).hex()

    def sealed() -> str:
        return stack.psql(f"SELECT coalesce(encode(github_token_enc, 'hex'), '') FROM users WHERE email = '{email}'")

    r = scribe_stdin(stack, ("user", "set-github-token", "--email", email), github_token + "\n")
    assert r.returncode == 0 and r.stdout == "GitHub token stored\n" and github_token not in r.stderr, r
    stored = bytes.fromhex(sealed())
    assert github_token.encode() not in stored
    # Version byte 1, a 12-byte nonce, then AES-256-GCM's ciphertext and tag, under SCRIBE_SECRET_KEY.
    assert stored[0] == 1
    opened = AESGCM(bytes.fromhex(stack.secret_key)).decrypt(stored[1:13], stored[13:], None)
    assert opened.decode() == github_token

    removed = scribe_stdin(stack, ("user", "set-github-token", "--email", email), "\n")
    assert removed.returncode == 0 and removed.stdout == "GitHub token removed\n", removed
    assert sealed() == ""

    keyless = subprocess.run(
        [str(stack.bin_dir / "scribe"), "user", "set-github-token", "--email", email], input=github_token,
        env={k: v for k, v in stack.env().items() if k != "SCRIBE_SECRET_KEY"}, capture_output=True, text=True, timeout=60)
    assert keyless.returncode == 1 and keyless.stderr.strip() == "scribe: SCRIBE_SECRET_KEY is required to store tokens"
    assert sealed() == ""
