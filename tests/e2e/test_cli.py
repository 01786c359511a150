"""The `scribe` command line as a person and a script meet it: option checks, exit codes, words, the bar.

Exit codes: 0 done, 1 the command failed at run time (one line, no usage), 2 the command line is wrong.
"""

from __future__ import annotations

import fcntl
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
