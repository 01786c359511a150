"""Hostile repositories: names and links that try to read server files, inject tool options or break pages.

Each case is a real git repository made here, documented by a real job through nginx, scribe-fcgi and
scribe-worker. A planted secret outside the clone must appear nowhere Scribe writes or answers.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import unicodedata
from pathlib import Path

import pytest

from harness import Stack
from hostile_trees import commit_tree, decode_page_name, events, fetch_all_pages, run_to_end, write

# --- option and newline injection, links to a planted secret -------------------------------------


@pytest.fixture(scope="module")
def injection(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("injection")
    planted = "PLANTED" + secrets.token_hex(16)
    outside = base / "outside"
    outside.mkdir()
    secret_file = outside / "secret.key"
    # A line of every shape a regex might copy: the value alone, as C, as Python, as Swift.
    secret_file.write_text(f"{planted}\nint {planted}(void);\ndef {planted}(): pass\npublic func {planted}() {{}}\n")
    repo = base / "repo"
    repo.mkdir()
    regex = "--regex-C=|^(.+)$|LEAK\\1|v,variable|"
    # Lines of a list file: an option, then a link the walk skips (the old -L list read both).
    write(repo, f"evil\n{regex}\nlink.c\n.c", "int evil_name(void);\n")
    write(repo, "core/api.c", "int core_entry(void);\n")
    # Leading dashes for every tool: ctags (C, Python, Go, JavaScript) and scribe-swift-symbols.
    # A header: C's public surface is what headers declare (a .c definition alone is not API).
    write(repo, "-dash/-dash.h", "int dash_c_entry(void);\n")
    write(repo, "-dash/-dash.py", "def dash_py_entry():\n    return 1\n")
    write(repo, "-dash/--help.go", "package dash\n\nfunc DashGoEntry() int { return 1 }\n")
    write(repo, "-dash/-R.js", "export function dashJsEntry() { return 1; }\n")
    write(repo, "-dash/-dash.swift", "public func dashSwiftEntry() -> Int { 1 }\n")
    write(repo, "-dash/--version.swift", "public struct DashSwiftType {}\n")
    write(repo, "-dash/-L", "not a list\n")
    # The clone's own ctags option folder, as ctags would read it from its working folder.
    write(repo, ".ctags.d/leak.ctags", regex.replace("LEAK", "EVIL") + "\n")
    # Links to the secret: absolute, relative, to its folder, and a folder link inside the clone.
    for name in ("link.c", "core/leak.py", "-dash/leak.swift"):
        os.symlink(secret_file, repo / name)
    os.symlink("../../outside/secret.key", repo / "core" / "relative.c")
    os.symlink(outside, repo / "core" / "outdir")
    os.symlink("core", repo / "corelink")
    commit_tree(repo)
    job = run_to_end(stack, repo)
    return {"job": job, "planted": planted, "docs": stack.pages_of(job["id"], required=False) or stack.work_dir / "none"}


def test_injection_job_completes(injection: dict) -> None:
    assert injection["job"]["status"] == "completed", injection["job"]


def test_planted_secret_reaches_no_page_log_event_or_answer(stack: Stack, injection: dict) -> None:
    planted = injection["planted"]
    job = injection["job"]
    answers = fetch_all_pages(stack, job["repository_id"])
    answers["job"] = json.dumps(stack.job(job["id"]))
    answers["events"] = json.dumps(events(stack, job["id"]))
    answers["objects"] = json.dumps(stack.api("GET", f"/api/documentation/jobs/{job['id']}/objects").body)
    answers["repository"] = json.dumps(stack.api("GET", f"/api/repositories/{job['repository_id']}").body)
    for where, text in answers.items():
        assert planted not in text, f"the planted secret is in {where or 'the page list'}"
        assert "LEAK" + planted not in text
    written = [p for p in injection["docs"].rglob("*") if p.is_file()]
    assert any(p.name == "analysis.json" for p in written)
    logs = [p for p in (stack.data_dir / "logs").glob("*") if p.is_file()] + [stack.fcgi_log]
    for p in written + logs:
        assert planted.encode() not in p.read_bytes(), f"the planted secret is in {p}"


def test_no_injected_option_took_effect(injection: dict) -> None:
    analysis = json.loads((injection["docs"] / "analysis.json").read_text())
    names = {s["name"] for s in analysis["symbols"]}
    assert not {n for n in names if n.startswith(("LEAK", "EVIL"))}, names
    paths = {f["path"] for f in analysis["files"]}
    assert not {p for p in paths if p.split("/")[0] in ("link.c", "corelink") or "leak" in p or "outdir" in p or "relative" in p}
    assert analysis["skipped"]["symlinks"] == 6, analysis["skipped"]
    # The file whose name holds the lines is one file, documented under its own name.
    assert any(p.startswith("evil\n--regex-C=") for p in paths), paths


def test_names_with_leading_dashes_reach_every_tool_as_names(injection: dict) -> None:
    analysis = json.loads((injection["docs"] / "analysis.json").read_text())
    by_name = {s["name"]: s["path"] for s in analysis["symbols"]}
    expected = {
        "dash_c_entry": "-dash/-dash.h", "dash_py_entry": "-dash/-dash.py", "DashGoEntry": "-dash/--help.go",
        "dashJsEntry": "-dash/-R.js", "dashSwiftEntry": "-dash/-dash.swift", "DashSwiftType": "-dash/--version.swift",
    }
    for name, path in expected.items():
        assert by_name.get(name) == path, (name, by_name)
    page = (injection["docs"] / "modules" / "@2Ddash.md").read_text()
    assert "dashSwiftEntry" in page and "dash_c_entry" in page


# --- one-character names -----------------------------------------------------------------------


def test_one_character_names_give_pages(stack: Stack, tmp_path: Path) -> None:
    repo = tmp_path / "short"
    repo.mkdir()
    write(repo, "a", "plain text\n")
    write(repo, "t/x.py", "from u import y\n\ndef t_entry():\n    return 1\n")
    write(repo, "u/y.py", "def y():\n    return 2\n")
    write(repo, "b/c/d.py", "import t\n")
    write(repo, "z.c", '#include "t/x.h"\n')
    commit_tree(repo)
    job = run_to_end(stack, repo)
    assert job["status"] == "completed", job
    pages = fetch_all_pages(stack, job["repository_id"])
    # b/c/d.py is in the Python folder b/c, a module of its own (modules are folders by Python's rules).
    assert {"modules/t.md", "modules/u.md", "modules/b+c.md"} <= set(pages), sorted(pages)
    assert "t_entry" in pages["modules/t.md"]


# --- module names that pages must survive --------------------------------------------------------


# Folder names (no `/`; names starting with `.` are hidden folders, skipped by design), and sub-packages of
# a container folder, whose module names hold a `/`.
HOSTILE_MODULES = [
    "with space", "héllo wörld", "日本語", "<b>bold<\\b>", "<img src=x onerror=alert(1)>", "new\nline", "tab\there",
    'quote"s', "it's", "back`tick`", "pipe|name", "x..y", "trailing.", "-lead", "%2e%2e", "a+b", "a@b", "root",
    "overview", "#hash", "?q=1", "x" * 240, "é" * 120, "src/inner name", "src/<i>", "src/y..",
]


@pytest.fixture(scope="module")
def named(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> dict:
    repo = tmp_path_factory.mktemp("named") / "repo"
    repo.mkdir()
    for i, name in enumerate(HOSTILE_MODULES):
        write(repo, f"{name}/m{i}.py", f'"""Module number {i}."""\n\ndef entry_{i}():\n    return {i}\n')
    commit_tree(repo)
    job = run_to_end(stack, repo)
    return {"job": job, "docs": stack.pages_of(job["id"], required=False) or stack.work_dir / "none"}


def test_every_hostile_module_name_has_a_served_page(stack: Stack, named: dict) -> None:
    job = named["job"]
    assert job["status"] == "completed", job
    pages = fetch_all_pages(stack, job["repository_id"])
    listed = stack.api("GET", f"/api/repositories/{job['repository_id']}/pages").body["pages"]
    modules = {p["module"]: p["path"] for p in listed if p["kind"] == "module"}
    assert set(modules) == set(HOSTILE_MODULES), set(HOSTILE_MODULES) ^ set(modules)
    for module, path in modules.items():
        name = path.removeprefix("modules/").removesuffix(".md")
        assert len(name.encode()) + len(".html.tmp") < 255, name
        if "@-" not in name and module not in ("root", "overview"):
            assert decode_page_name(name) == module, (name, module)
        i = HOSTILE_MODULES.index(module)
        assert f"entry_{i}" in pages[path], (module, pages[path][:300])
        assert f"entry_{i}" in pages[path.removesuffix(".md") + ".html"]
    assert len(set(modules.values())) == len(modules), "two modules share a page"


def test_module_table_and_headings_hold_one_line_per_module(named: dict) -> None:
    index = (named["docs"] / "index.md").read_text()
    table = index.split("## Modules\n", 1)[1].split("\n\n", 1)[0].strip().splitlines()
    assert len(table) == 2 + len(HOSTILE_MODULES), table
    for row in table[2:]:
        # A row has its seven cells (module, kind, files, lines, public symbols, coverage, purpose): no name
        # added a column.
        cells = re.split(r"(?<!\\)\|", row.strip())[1:-1]
        assert len(cells) == 7, row
    page = next(p for p in (named["docs"] / "modules").glob("new@0Aline.md"))
    assert page.read_text().splitlines()[0] == "# Module `new\\nline`"
    html = (named["docs"] / "index.html").read_text()
    assert "<img src=x" not in html and "<i>" not in html and "<b>" not in html


# --- names that are not UTF-8, or equal after normalisation --------------------------------------


def test_names_that_are_not_utf8_are_skipped_and_counted(stack: Stack, tmp_path: Path) -> None:
    repo = tmp_path / "bytes"
    repo.mkdir()
    write(repo, "core/ok.py", "def fine():\n    return 1\n")
    write(repo, b"core/bad\xff.py", "def hidden_by_name():\n    return 1\n")
    write(repo, b"latin\xe9/x.py", "def in_bad_folder():\n    return 1\n")
    nfc, nfd = unicodedata.normalize("NFC", "é"), unicodedata.normalize("NFD", "é")
    write(repo, f"core/{nfc}.py", "def composed():\n    return 1\n")
    write(repo, f"core/{nfd}.py", "def decomposed():\n    return 1\n")
    commit_tree(repo)
    assert b"bad\\377" in subprocess.run(["git", "ls-files"], cwd=repo, capture_output=True).stdout
    job = run_to_end(stack, repo)
    assert job["status"] == "completed", job
    docs = stack.pages_of(job["id"])
    analysis = json.loads((docs / "analysis.json").read_text())
    assert analysis["skipped"]["invalid_names"] == 2, analysis["skipped"]
    assert analysis["skipped"]["equivalent_names"] == 1, analysis["skipped"]
    names = {s["name"] for s in analysis["symbols"]}
    assert "fine" in names and not {"hidden_by_name", "in_bad_folder"} & names, names
    assert len({"composed", "decomposed"} & names) == 1, names
    size = (docs / "index.md").read_text().split("## Size", 1)[1]
    assert "2 names that are not UTF-8" in size and "1 names equivalent" in size, size
    text = " ".join(e["message"] for e in events(stack, job["id"]))
    assert "2 names that are not UTF-8" in text, text
    fetch_all_pages(stack, job["repository_id"])
