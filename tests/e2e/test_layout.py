"""Rules of the source tree that a script checks: SQL lives only in Sources/ScribeStore."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

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
