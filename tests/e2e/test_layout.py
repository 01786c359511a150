"""Rules of the source tree: SQL lives only in Sources/ScribeStore, logs are set up by executables, the CLI links no libfcgi."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from harness import find_bin_dir

REPO_ROOT = Path(__file__).resolve().parents[2]
CHECK_SQL = REPO_ROOT / "scripts" / "check-sql.sh"


def check_sql(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(CHECK_SQL), str(root)], capture_output=True, text=True, timeout=60)


def test_the_sources_keep_sql_in_the_store() -> None:
    r = check_sql(REPO_ROOT)
    assert r.returncode == 0, r.stderr


def test_sql_outside_the_store_is_caught(tmp_path: Path) -> None:
    shutil.copytree(REPO_ROOT / "Sources", tmp_path / "Sources")
    assert check_sql(tmp_path).returncode == 0
    for line in ('        let n = try db.query("SELECT count(*) FROM jobs", name: "x")\n',
                 '        try db.execute("LISTEN scribe_jobs", name: "listen")\n',
                 '        let sql = "UPDATE jobs SET status = \'failed\' WHERE id = $1"\n'):
        target = tmp_path / "Sources" / "ScribeServer" / "Injected.swift"
        target.write_text("func injected() throws {\n" + line + "}\n")
        r = check_sql(tmp_path)
        assert r.returncode == 1 and "Sources/ScribeServer/Injected.swift:2:" in r.stderr, (line, r.stderr)
    # The same text inside the store is where it belongs.
    (tmp_path / "Sources" / "ScribeServer" / "Injected.swift").rename(tmp_path / "Sources" / "ScribeStore" / "Injected.swift")
    assert check_sql(tmp_path).returncode == 0


def test_only_executables_choose_where_logs_go() -> None:
    """Libraries take a Logger; only an executable's main installs the log sink (`LoggingSystem.bootstrap`)."""
    offenders = []
    for path in sorted((REPO_ROOT / "Sources").rglob("*.swift")):
        target = path.relative_to(REPO_ROOT / "Sources").parts[0]
        if not target.startswith("Scribe"):  # executables are lower-case (scribe, scribe-fcgi, …)
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "LoggingSystem.bootstrap(" in line and not line.lstrip().startswith("//"):
                offenders.append(f"{path.relative_to(REPO_ROOT)}:{number}")
    assert offenders == []


def test_the_cli_and_the_worker_link_no_libfcgi() -> None:
    """`scribe dispatch` runs the queue from ScribeQueue: the CLI, like the worker, links no FastCGI library."""
    bin_dir = find_bin_dir()
    linked = {exe: subprocess.run(["ldd", str(bin_dir / exe)], capture_output=True, text=True, timeout=60).stdout
              for exe in ("scribe", "scribe-worker", "scribe-fcgi")}
    assert "libfcgi" in linked["scribe-fcgi"], linked["scribe-fcgi"]  # the check sees the library where it is
    assert "libfcgi" not in linked["scribe"], linked["scribe"]
    assert "libfcgi" not in linked["scribe-worker"], linked["scribe-worker"]


def test_every_target_builds_with_strict_concurrency_checking() -> None:
    """Swift 6 language mode (complete concurrency checking) for every target: tools version 6 makes it the
    default, and no target asks for Swift 5 or a lighter checking level."""
    manifest = (REPO_ROOT / "Package.swift").read_text()
    assert manifest.startswith("// swift-tools-version:6.")
    for escape in ("swiftLanguageMode(.v5)", "swiftLanguageMode(.v4", "swiftLanguageVersions", "strict-concurrency=",
                   "StrictConcurrency"):
        assert escape not in manifest, escape


def test_every_unchecked_sendable_says_why_it_is_safe() -> None:
    """An `@unchecked Sendable` turns the compiler's check off, so the lines right above or below it say which lock
    (or which ordering) makes the type safe, in a comment that starts `// @unchecked:`."""
    unexplained = []
    for path in sorted((REPO_ROOT / "Sources").rglob("*.swift")):
        lines = path.read_text().splitlines()
        for i, line in enumerate(lines):
            if "@unchecked Sendable" not in line or line.lstrip().startswith(("//", "///")):
                continue
            near = lines[max(0, i - 3):i] + lines[i + 1:i + 4]
            if not any(n.strip().startswith("// @unchecked:") for n in near):
                unexplained.append(f"{path.relative_to(REPO_ROOT)}:{i + 1}")
    assert unexplained == []


def test_no_function_is_long_without_a_reason() -> None:
    """The house rule: no Swift function over 60 lines unless a `// Long:` comment above it says why."""
    r = subprocess.run([str(REPO_ROOT / "scripts" / "long-functions.sh"), "--check"], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
