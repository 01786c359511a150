"""Helpers for the hostile-repository tests: trees whose names hold any byte, committed and documented
through the real stack, and the checks every listed page must pass."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import quote

from gitrepos import _git
from harness import Stack

# The router's rule for page paths (ScribeCore's PagePath): what every page name must fit.
PAGE_PART = re.compile(r"^[A-Za-z0-9_+@-][A-Za-z0-9._+@-]*$")


def commit_tree(repo: Path) -> None:
    """Commits whatever the folder holds, names of any bytes and links as links."""
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "Hostile tree")


def write(repo: Path, rel: str | bytes, content: str | bytes) -> None:
    path = os.path.join(os.fsencode(repo), os.fsencode(rel))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(content.encode() if isinstance(content, str) else content)


def run_to_end(stack: Stack, repo: Path, timeout: float = 90) -> dict:
    repo_id = stack.add_repository(repo)
    r = stack.api("POST", "/api/documentation/jobs", {"repository_id": repo_id})
    assert r.status == 202, r.body
    job = stack.poll_job(r.body["id"], until=("completed", "failed"), timeout=timeout, interval=0.05)
    job["repository_id"] = repo_id
    return job


def events(stack: Stack, job_id: str) -> list[dict]:
    out: list[dict] = []
    after = 0
    while True:
        r = stack.api("GET", f"/api/documentation/jobs/{job_id}/events?after={after}")
        assert r.status == 200, r.body
        if not r.body["events"]:
            return out
        out.extend(r.body["events"])
        after = r.body["next_after"]


def fetch_all_pages(stack: Stack, repo_id: str) -> dict[str, str]:
    """Every listed page, fetched through nginx as a browser would (each part URL-encoded)."""
    r = stack.api("GET", f"/api/repositories/{repo_id}/pages")
    assert r.status == 200, r.body
    pages: dict[str, str] = {"": json.dumps(r.body)}
    for p in r.body["pages"]:
        path = p["path"]
        assert all(PAGE_PART.match(part) for part in path.split("/")), path
        for form in {path, quote(path, safe="/")}:
            got = stack.api("GET", f"/api/repositories/{repo_id}/pages/{form}")
            assert got.status == 200, f"{form}: {got.status} {got.body}"
            assert got.headers["Content-Type"].split(";")[0] == p["content_type"].split(";")[0], (form, got.headers)
        pages[path] = got.body if isinstance(got.body, str) else json.dumps(got.body)
    return pages


def decode_page_name(name: str) -> str:
    """The module a page name stands for: the page-name rule read backwards."""
    out = bytearray()
    i = 0
    while i < len(name):
        c = name[i]
        if c == "+":
            out += b"/"
        elif c == "@":
            out.append(int(name[i + 1 : i + 3], 16))
            i += 2
        else:
            out += c.encode()
        i += 1
    return out.decode()


# --- seeded random trees --------------------------------------------------------------------------

# Name parts drawn from hostile alphabets, as bytes (names may hold any byte but NUL and `/`).
HOSTILE_NAMES: list[bytes] = [
    # one character
    b"a", b"t", b"_", b"-", b"x", b" ", "é".encode(),
    # dots
    b"...", b".hidden", b"a.", b"x..y", b"..a", b".github",
    # dashes and options for each tool
    b"--", b"-rf", b"-L", b"-f", b"--options=NONE", b"--regex-C=|^(.+)$|LEAK\\1|v,variable|", b"-Tpng", b"--help",
    # spaces
    b"a b", b" lead", b"trail ",
    # newlines and other control characters
    b"a\nb", b"\n", b"x\r\ny", b"\t", b"esc\x1b[31m", b"bell\x07",
    # quotes
    b'"', b"'", b"`", b"it's", b"``code``",
    # HTML and Markdown
    b"<b>", b"<script>alert(1)<", b"&amp;", b"a>b", b"|pipe|", b"# heading", b"[link](x)", b"*star*",
    # non-ASCII
    "日本".encode(), "Ω≈ç".encode(), "\u202eevil".encode(), "🙂".encode(), "e\u0301".encode(), "\u00e9".encode(),
    # not UTF-8
    b"\xff", b"\xc3", b"a\x80b", b"\xed\xa0\x80", b"latin\xe9",
    # names the page rule and the server treat specially
    b"root", b"overview", b"index", b"modules", b"diagrams", b"style.css", b"%2e%2e", b"%00", b"a%2Fb", b"+", b"@",
    b"@2F", b"?q", b"\\", b"*", b"README.md", b"__init__.py", b"src", b"Sources", b"packages",
    # very long: one name at the 255-byte limit, one of two-byte letters
    b"x" * 255, "é".encode() * 127,
]

EXTENSIONS = [b"", b".py", b".c", b".h", b".go", b".js", b".ts", b".rs", b".swift", b".java", b".rb", b".md", b".txt"]


def _name(rng, long_ok: bool = True) -> bytes:
    name = rng.choice(HOSTILE_NAMES)
    if rng.random() < 0.3:
        name += rng.choice(HOSTILE_NAMES)
    if not long_ok or len(name) > 255:
        name = name[:40]
    if name in (b".", b"..") or name.startswith(b".git"):
        name = b"n" + name
    return name


def _content(rng, name: bytes, names: list[bytes]) -> bytes:
    other = rng.choice(names) if names else b"x"
    ident = "f" + str(rng.randrange(10**6))
    kind = rng.random()
    if kind < 0.05:
        return b"\x00\x01binary" * 10
    if kind < 0.10:
        return b""
    if name.endswith(b".py"):
        return b"import " + other + b"\nfrom ." + other + b" import y\n\ndef " + ident.encode() + b"():\n    '''Doc " + other + b"'''\n"
    if name.endswith((b".c", b".h")):
        return b'#include "' + other + b'"\n#include "../' + other + b'"\n/** Doc. */\nint ' + ident.encode() + b"(void);\n"
    if name.endswith(b".go"):
        return b'package p\n\nimport "' + other + b'"\n\n// ' + ident.encode() + b" doc.\nfunc " + ident.upper().encode() + b"() {}\n"
    if name.endswith((b".js", b".ts")):
        return b"import x from './" + other + b"';\nexport function " + ident.encode() + b"() {}\n"
    if name.endswith(b".rs"):
        return b"use crate::" + other + b";\n/// Doc.\npub fn " + ident.encode() + b"() {}\n"
    if name.endswith(b".swift"):
        return b"import " + other + b"\n/// Doc.\npublic func " + ident.encode() + b"() {}\n"
    if name.endswith(b".java"):
        return b"package a.b;\nimport " + other + b";\n/** Doc. */\npublic class C" + ident.encode() + b" {}\n"
    return b"text " + other + b"\n"


def make_random_tree(rng, root: Path, secret_file: Path, fifos: bool = True) -> None:
    """A small tree of hostile names: files of several languages (naming each other in imports), folders,
    a long or deep chain now and then, and links out of the tree, to itself and to the planted secret."""
    root_b = os.fsencode(root)
    os.makedirs(root_b, exist_ok=True)
    dirs: list[bytes] = [b""]
    names: list[bytes] = []
    for _ in range(rng.randrange(1, 16)):
        roll = rng.random()
        # Folders mostly at the top and files mostly inside folders, so that most trees have several
        # modules (and page names) to show.
        if roll < 0.30:
            parent = b"" if rng.random() < 0.6 else rng.choice(dirs)
        else:
            parent = rng.choice(dirs[1:] if len(dirs) > 1 and rng.random() < 0.8 else dirs)
        depth = parent.count(b"/")
        name = _name(rng, long_ok=len(parent) < 1500)
        rel = parent + b"/" + name if parent else name
        full = os.path.join(root_b, rel)
        if os.path.lexists(full):
            continue
        if roll < 0.30 and depth < 6:
            os.mkdir(full)
            dirs.append(rel)
        elif roll < 0.40:
            target = rng.choice([os.fsencode(secret_file), b"../" * (depth + 1) + b"../outside/secret.key", b".", b"..",
                                 b"/etc/passwd", b"missing", name, rng.choice(dirs) or b"."])
            os.symlink(target, full)
        elif roll < 0.42 and fifos:
            os.mkfifo(full)
        else:
            ext = rng.choice(EXTENSIONS)
            rel = (parent + b"/" if parent else b"") + name[: 255 - len(ext)] + ext
            full = os.path.join(root_b, rel)
            if not os.path.lexists(full):
                with open(full, "wb") as f:
                    f.write(_content(rng, rel, names))
                names.append(rel)
    if rng.random() < 0.08:
        # Very deep: past the analysis' 64 levels, with a file at the bottom.
        chain = b"/".join([b"d"] * rng.choice([10, 70]))
        os.makedirs(os.path.join(root_b, chain), exist_ok=True)
        with open(os.path.join(root_b, chain, b"deep.py"), "wb") as f:
            f.write(b"def deep():\n    pass\n")
    if rng.random() < 0.08:
        # Very long: a path over the analysis' 2,048 bytes (long names, a few levels).
        chain = b"/".join([b"L" * 250] * 9)
        os.makedirs(os.path.join(root_b, chain), exist_ok=True)
        with open(os.path.join(root_b, chain, b"long.py"), "wb") as f:
            f.write(b"def long_path():\n    pass\n")
