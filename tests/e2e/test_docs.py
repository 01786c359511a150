"""Documentation worth reading (issue 3), end to end through the real stack.

Repositories in eight languages made by the tests, documented by real jobs: pages that
name real modules and symbols with `file:line`, doc comments, real imports, Mermaid and
SVG diagrams, HTML; a truthfulness check on those repositories and on this project's own
history; the private-repository flow against a stand-in of GitHub's REST API and a real
git smart-HTTP server (git-http-backend behind nginx through fcgiwrap) that refuses
clones without the token; links, huge and binary files; an empty repository; chosen
modules; and the commit-keyed cache.
"""

from __future__ import annotations

import html
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for the stand-ins

from gitrepos import _git as git, head_commit, make_git_repo  # noqa: E402
from harness import DEFAULT, REPO_ROOT, Stack, parse_time, wait_until  # noqa: E402
from standins.git_http import GitHTTPServer, basic_token_header  # noqa: E402
from standins.github import GitHubAPI  # noqa: E402

TOKEN_INVALID = "GitHub token is invalid or expired. Please reconnect your GitHub account."
TOKEN_MISSING = "GitHub token not available. Please reconnect your GitHub account in Settings."
EMPTY = "Repository appears to be empty or inaccessible"
NOT_DOCUMENTED = "⚠️ Not documented in the source"

# The extra environment this file's fixtures started scribe-fcgi with (restarts keep it).
FCGI_SETTINGS: dict[str, str] = {}

# --- a repository in eight languages -------------------------------------------------------------

# Each module has public declarations with doc comments, and most import another module.
POLYGLOT = {
    # Python: a package with a docstring, and an app that imports it.
    "pyutil/__init__.py": '"""Text utilities shared by the Python tools."""\n',
    "pyutil/text.py": (
        '"""Slugs and tokens."""\n'
        "\n"
        "import re\n"
        "\n"
        "\n"
        "def slugify(title):\n"
        '    """Turns a title into a URL slug."""\n'
        '    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")\n'
        "\n"
        "\n"
        "class Tokenizer:\n"
        '    """Splits text into words."""\n'
        "\n"
        "    def tokens(self, text):\n"
        '        """Returns the words of text."""\n'
        "        return text.split()\n"
        "\n"
        "    def pick(self, words: list[str], n: int | None = None) -> str | None:\n"
        '        """Returns the n-th word, or None."""\n'
        "        return words[n or 0] if words else None\n"
        "\n"
        "\n"
        "def _private_helper():\n"
        "    return 1\n"
    ),
    "pyapp/main.py": (
        "import sys\n"
        "from pyutil.text import slugify\n"
        "\n"
        "\n"
        "def run_app(argv):\n"
        '    """Prints the slug of each argument."""\n'
        "    for a in argv:\n"
        "        print(slugify(a))\n"
    ),
    # Go: a package with package docs, and a package that imports it by module path.
    "go.mod": "module example.com/poly\n\ngo 1.21\n",
    "gocore/store.go": (
        "// Package gocore keeps records in memory.\n"
        "package gocore\n"
        "\n"
        "// Store holds records by key.\n"
        "type Store struct {\n"
        "\trecords map[string]string\n"
        "}\n"
        "\n"
        "// NewStore returns an empty store.\n"
        "func NewStore() *Store {\n"
        "\treturn &Store{records: map[string]string{}}\n"
        "}\n"
        "\n"
        "// Put saves a record under its key.\n"
        "func (s *Store) Put(key string, value string) {\n"
        "\ts.records[key] = value\n"
        "}\n"
        "\n"
        "func lowercaseHelper() int {\n"
        "\treturn 1\n"
        "}\n"
    ),
    "goapi/server.go": (
        "package goapi\n"
        "\n"
        "import (\n"
        '\t"fmt"\n'
        "\n"
        '\t"example.com/poly/gocore"\n'
        ")\n"
        "\n"
        "// Serve answers requests from the store.\n"
        "func Serve(addr string) error {\n"
        "\ts := gocore.NewStore()\n"
        '\ts.Put("addr", addr)\n'
        '\tfmt.Println("serving", addr)\n'
        "\treturn nil\n"
        "}\n"
    ),
    # Rust: a library crate with crate docs, and a binary that uses it.
    "rustlib/src/lib.rs": (
        "//! Parsing of key=value configuration files.\n"
        "\n"
        "use std::collections::HashMap;\n"
        "\n"
        "/// A parsed configuration.\n"
        "pub struct Config {\n"
        "    pub values: HashMap<String, String>,\n"
        "}\n"
        "\n"
        "/// Parses one line into a key and a value.\n"
        "pub fn parse_line(line: &str) -> Option<(String, String)> {\n"
        "    let (k, v) = line.split_once('=')?;\n"
        "    Some((k.trim().to_string(), v.trim().to_string()))\n"
        "}\n"
        "\n"
        "fn private_helper() -> u8 {\n"
        "    1\n"
        "}\n"
    ),
    "rustcli/src/main.rs": (
        "use rustlib::parse_line;\n"
        "\n"
        "fn main() {\n"
        '    println!("{:?}", parse_line("a=b"));\n'
        "}\n"
    ),
    # TypeScript and JavaScript: two packages of a workspace, one importing the other.
    "packages/shared/format.ts": (
        "/** Formats an amount in cents as a price. */\n"
        "export function formatPrice(cents: number): string {\n"
        "  return (cents / 100).toFixed(2);\n"
        "}\n"
        "\n"
        "/** An amount of money in one currency. */\n"
        "export class Money {\n"
        "  constructor(public cents: number) {}\n"
        "}\n"
        "\n"
        "function localOnly(): number {\n"
        "  return 1;\n"
        "}\n"
    ),
    "packages/web/app.js": (
        'import { formatPrice } from "../shared/format";\n'
        "\n"
        "/** Renders the list of prices. */\n"
        "export function renderPrices(items) {\n"
        "  return items.map((i) => formatPrice(i.cents));\n"
        "}\n"
    ),
    # Java: a model and a service importing it.
    "javamodel/com/example/model/Item.java": (
        "package com.example.model;\n"
        "\n"
        "/** An item of the catalogue. */\n"
        "public class Item {\n"
        "    /** The item's name. */\n"
        "    public String name;\n"
        "\n"
        "    /** Returns the display label of the item. */\n"
        "    public String label() {\n"
        "        return name;\n"
        "    }\n"
        "\n"
        "    private int secretCount() {\n"
        "        return 0;\n"
        "    }\n"
        "}\n"
    ),
    "javasvc/com/example/service/ItemService.java": (
        "package com.example.service;\n"
        "\n"
        "import java.util.List;\n"
        "import com.example.model.Item;\n"
        "\n"
        "/** Finds items in the catalogue. */\n"
        "public class ItemService {\n"
        "    /** Returns the first item, or null. */\n"
        "    public Item first(List<Item> items) {\n"
        "        return items.isEmpty() ? null : items.get(0);\n"
        "    }\n"
        "}\n"
    ),
    # C: a library with a header, and a program including it.
    "clib/vector.h": (
        "#ifndef VECTOR_H\n"
        "#define VECTOR_H\n"
        "\n"
        "/** A growable array of ints. */\n"
        "struct vec {\n"
        "    int *items;\n"
        "    int count;\n"
        "};\n"
        "\n"
        "/** Appends a value and returns the new count. */\n"
        "int vec_push(struct vec *v, int x);\n"
        "\n"
        "#endif\n"
    ),
    "clib/vector.c": (
        "#include <stdlib.h>\n"
        '#include "vector.h"\n'
        "\n"
        "static int clamp(int x) {\n"
        "    return x < 0 ? 0 : x;\n"
        "}\n"
        "\n"
        "/** Appends a value and returns the new count. */\n"
        "int vec_push(struct vec *v, int x) {\n"
        "    v->items = realloc(v->items, sizeof(int) * (v->count + 1));\n"
        "    v->items[v->count] = x;\n"
        "    return ++v->count;\n"
        "}\n"
    ),
    # The build declares clib as an include folder: that is how capp's "vector.h" finds it.
    "Makefile": "CFLAGS = -Iclib\n\ncapp/app: capp/main.c clib/vector.c\n\t$(CC) $(CFLAGS) -o $@ $^\n",
    "capp/main.c": (
        "#include <stdio.h>\n"
        '#include "vector.h"\n'
        "\n"
        "int main(void) {\n"
        "    struct vec v = {0};\n"
        '    printf("%d\\n", vec_push(&v, 1));\n'
        "    return 0;\n"
        "}\n"
    ),
    # Ruby: a library with a README, and a script requiring it.
    "rbcore/README.md": "# rbcore\n\nGreeting helpers for the Ruby scripts.\n",
    "rbcore/greeter.rb": (
        "# Greets people by name.\n"
        "class Greeter\n"
        "  # Returns a greeting for name.\n"
        "  def greet(name)\n"
        '    "Hello, #{name}"\n'
        "  end\n"
        "end\n"
    ),
    "rbapp/cli.rb": (
        'require_relative "../rbcore/greeter"\n'
        "\n"
        "puts Greeter.new.greet(ARGV.first)\n"
    ),
    # Swift: a package with a library target and an executable importing it.
    "Package.swift": (
        "// swift-tools-version:5.9\n"
        "import PackageDescription\n"
        "\n"
        'let package = Package(name: "Poly", targets: [\n'
        '    .target(name: "SwiftKit"),\n'
        '    .executableTarget(name: "SwiftApp", dependencies: ["SwiftKit"]),\n'
        "])\n"
    ),
    "Sources/SwiftKit/Geometry.swift": (
        "import Foundation\n"
        "\n"
        "/// A point in the plane.\n"
        "public struct Point {\n"
        "    public let x: Double\n"
        "    public let y: Double\n"
        "\n"
        "    public init(x: Double, y: Double) {\n"
        "        self.x = x\n"
        "        self.y = y\n"
        "    }\n"
        "\n"
        "    /// The distance to another point.\n"
        "    public func distance(to other: Point) -> Double {\n"
        "        ((x - other.x) * (x - other.x) + (y - other.y) * (y - other.y)).squareRoot()\n"
        "    }\n"
        "}\n"
        "\n"
        "/// Not part of the API: internal by default.\n"
        "func internalHelper() -> Int { 1 }\n"
    ),
    "Sources/SwiftApp/main.swift": (
        "import SwiftKit\n"
        "\n"
        "let p = Point(x: 0, y: 0)\n"
        "print(p.distance(to: Point(x: 3, y: 4)))\n"
    ),
    # A module that says nothing about itself.
    "undocumented/helpers.py": "def helper(x):\n    return x * 2\n",
}

README = "# Poly\n\nA small project in eight languages, for the tests of Scribe.\n"


def line_of(path: str, text: str, files: dict[str, str] = POLYGLOT) -> int:
    """The 1-based line of `path` in the fixture that contains `text` (exactly one)."""
    hits = [n for n, line in enumerate(files[path].split("\n"), 1) if text in line]
    assert len(hits) == 1, f"{text!r} is on lines {hits} of {path}"
    return hits[0]


# Java's modules are its packages, folder by folder.
JAVA_MODEL, JAVA_SERVICE = "javamodel/com/example/model", "javasvc/com/example/service"

# (module, file, text on the declaration's line, name the page shows, doc comment, how it is listed)
DECLARATIONS = [
    ("pyutil", "pyutil/text.py", "def slugify", "slugify", "Turns a title into a URL slug.", "heading"),
    ("pyutil", "pyutil/text.py", "class Tokenizer", "Tokenizer", "Splits text into words.", "heading"),
    ("pyutil", "pyutil/text.py", "def tokens", "tokens", "Returns the words of text.", "member"),
    ("pyapp", "pyapp/main.py", "def run_app", "run_app", "Prints the slug of each argument.", "heading"),
    ("gocore", "gocore/store.go", "type Store struct", "gocore.Store", "Store holds records by key.", "heading"),
    ("gocore", "gocore/store.go", "func NewStore", "gocore.NewStore", "NewStore returns an empty store.", "heading"),
    ("gocore", "gocore/store.go", "func (s *Store) Put", "Put", "Put saves a record under its key.", "member"),
    ("goapi", "goapi/server.go", "func Serve", "goapi.Serve", "Serve answers requests from the store.", "heading"),
    ("rustlib", "rustlib/src/lib.rs", "pub struct Config", "Config", "A parsed configuration.", "heading"),
    ("rustlib", "rustlib/src/lib.rs", "pub fn parse_line",
     "parse_line", "Parses one line into a key and a value.", "heading"),
    ("packages/shared", "packages/shared/format.ts", "export function formatPrice", "formatPrice",
     "Formats an amount in cents as a price.", "heading"),
    ("packages/shared", "packages/shared/format.ts", "export class Money",
     "Money", "An amount of money in one currency.", "heading"),
    ("packages/web", "packages/web/app.js", "export function renderPrices",
     "renderPrices", "Renders the list of prices.", "heading"),
    (JAVA_MODEL, "javamodel/com/example/model/Item.java", "public class Item",
     "Item", "An item of the catalogue.", "heading"),
    (JAVA_MODEL, "javamodel/com/example/model/Item.java", "public String label", "label",
     "Returns the display label of the item.", "member"),
    (JAVA_SERVICE, "javasvc/com/example/service/ItemService.java", "public class ItemService", "ItemService",
     "Finds items in the catalogue.", "heading"),
    (JAVA_SERVICE, "javasvc/com/example/service/ItemService.java", "public Item first",
     "first", "Returns the first item, or null.", "member"),
    ("clib", "clib/vector.h", "int vec_push", "vec_push", "Appends a value and returns the new count.", "heading"),
    ("clib", "clib/vector.h", "struct vec {", "vec", "A growable array of ints.", "heading"),
    ("rbcore", "rbcore/greeter.rb", "class Greeter", "Greeter", "Greets people by name.", "heading"),
    ("rbcore", "rbcore/greeter.rb", "def greet", "greet", "Returns a greeting for name.", "member"),
    ("Sources/SwiftKit", "Sources/SwiftKit/Geometry.swift", "public struct Point",
     "Point", "A point in the plane.", "heading"),
    ("Sources/SwiftKit", "Sources/SwiftKit/Geometry.swift", "public func distance",
     "distance", "The distance to another point.", "member"),
]

# Declarations that are not part of their module's public surface, by the rules of the language.
NOT_PUBLIC = [
    ("pyutil", "_private_helper"),  # Python: a leading underscore
    ("gocore", "lowercaseHelper"),  # Go: not capitalised
    ("rustlib", "private_helper"),  # Rust: no `pub`
    ("packages/shared", "localOnly"),  # TypeScript: not exported
    (JAVA_MODEL, "secretCount"),  # Java: private
    ("clib", "clamp"),  # C: static
    ("Sources/SwiftKit", "internalHelper"),  # Swift: internal by default
]

# (from, to) -> (file, the import as written there)
IMPORTS = {
    ("pyapp", "pyutil"): ("pyapp/main.py", "pyutil.text"),
    ("goapi", "gocore"): ("goapi/server.go", "example.com/poly/gocore"),
    ("rustcli", "rustlib"): ("rustcli/src/main.rs", "rustlib::parse_line"),
    ("packages/web", "packages/shared"): ("packages/web/app.js", "../shared/format"),
    (JAVA_SERVICE, JAVA_MODEL): ("javasvc/com/example/service/ItemService.java", "com.example.model.Item"),
    ("capp", "clib"): ("capp/main.c", "vector.h"),
    ("rbapp", "rbcore"): ("rbapp/cli.rb", "../rbcore/greeter"),
    ("Sources/SwiftApp", "Sources/SwiftKit"): ("Sources/SwiftApp/main.swift", "SwiftKit"),
}

# module -> (its purpose in its own words, where they are)
PURPOSES = {
    "pyutil": ("Text utilities shared by the Python tools.", "pyutil/__init__.py"),
    "gocore": ("Package gocore keeps records in memory.", "gocore/store.go"),
    "rustlib": ("Parsing of key=value configuration files.", "rustlib/src/lib.rs"),
    "rbcore": ("Greeting helpers for the Ruby scripts.", "rbcore/README.md"),
}

# Each language's own modules: Java packages are folders, SwiftPM targets and npm packages their folders, the
# others the top-level folder that holds their files. The root holds no code, so it is no module.
MODULES = sorted({"/".join(path.split("/")[:2]) if path.startswith(("packages/", "Sources/"))
                  else path.rsplit("/", 1)[0] if path.endswith(".java") else path.split("/")[0]
                  for path in POLYGLOT if "/" in path})


def page_name(module: str) -> str:
    """A module's page name (Analysis.pageName): `/` is `+`, bytes outside [A-Za-z0-9_.-] are `@XX`."""
    out = ""
    for i, b in enumerate(module.encode()):
        c = chr(b)
        if c.isascii() and (c.isalnum() or c == "_" or (c in "-." and i > 0)):
            out += c
        elif c == "/" and i > 0:
            out += "+"
        else:
            out += f"@{b:02X}"
    return out


# --- small tools ------------------------------------------------------------------------------------


def write_repo(parent: Path, name: str, files: dict[str, str | bytes], links: dict[str, str] | None = None,
               readme: str | None = README) -> Path:
    """A git repository with these files (text or bytes) and symbolic links, in one commit."""
    repo = parent / name
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    all_files = dict(files)
    if readme is not None:
        all_files.setdefault("README.md", readme)
    for rel, content in all_files.items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    for rel, target in (links or {}).items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, repo / rel)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Initial commit")
    return repo


def commit_files(repo: Path, files: dict[str, str], message: str = "Change") -> str:
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return head_commit(repo)


def start_job(stack: Stack, repo_id: str, options: dict | None = None, token: Any = DEFAULT) -> str:
    body: dict[str, Any] = {"repository_id": repo_id}
    if options is not None:
        body["options"] = options
    r = stack.api("POST", "/api/documentation/jobs", body, token=token)
    assert r.status == 202, f"POST /api/documentation/jobs: {r.status} {r.body}"
    return r.body["id"]


def run_job(stack: Stack, repo_id: str, options: dict | None = None, token: Any = DEFAULT,
            until: tuple[str, ...] = ("completed",), timeout: float = 60) -> dict:
    job_id = start_job(stack, repo_id, options, token)
    return stack.poll_job(job_id, until=until, timeout=timeout, interval=0.05, token=token)


def docs_of(stack: Stack, job: dict) -> Path:
    assert job["docs_path"], job
    return stack.pages_of(job["id"])


def events_of(stack: Stack, job_id: str, token: Any = DEFAULT) -> list[dict]:
    out: list[dict] = []
    after = 0
    for _ in range(100):
        r = stack.api("GET", f"/api/documentation/jobs/{job_id}/events?after={after}", token=token)
        assert r.status == 200, r.body
        if not r.body["events"]:
            return out
        out.extend(r.body["events"])
        after = r.body["next_after"]
    return out


def objects_of(stack: Stack, job_id: str, token: Any = DEFAULT) -> dict[str, dict]:
    r = stack.api("GET", f"/api/documentation/jobs/{job_id}/objects", token=token)
    assert r.status == 200, r.body
    return {o["path"]: o for o in r.body["objects"]}


def section(markdown: str, title: str) -> str:
    """The text of a `## title` section of a page, without its heading."""
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", markdown, re.S | re.M)
    assert m, f"no '## {title}' section in:\n{markdown[:400]}"
    return m.group(1).strip()


class GitSource:
    """Files of a repository at one commit, read with git (the clone Scribe read is gone)."""

    def __init__(self, repo: Path, commit: str) -> None:
        self.repo, self.commit = repo, commit
        self._cache: dict[str, str | None] = {}

    def __call__(self, path: str) -> str | None:
        if path not in self._cache:
            r = subprocess.run(
                ["git", "-C", str(self.repo), "show", f"{self.commit}:{path}"], capture_output=True, timeout=30,
            )
            self._cache[path] = r.stdout.decode("utf-8", "replace") if r.returncode == 0 else None
        return self._cache[path]


# --- truthfulness: everything a page names is in analysis.json, and analysis.json is in the code --------

FENCE = re.compile(r"^(`{3,}|~{3,})\s*([^`]*)$")
WORD = re.compile(r"\w+")
PLACE = re.compile(r"(.+):(\d+)")


def code_spans(text: str) -> list[str]:
    """The code spans of one line of Markdown, as CommonMark finds them (backslash escapes outside
    spans, a run of N backticks closed only by a run of exactly N)."""
    spans, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n:
            i += 2
            continue
        if c != "`":
            i += 1
            continue
        j = i
        while j < n and text[j] == "`":
            j += 1
        run = j - i
        k = j
        close = -1
        while k < n:
            if text[k] == "`":
                m = k
                while m < n and text[m] == "`":
                    m += 1
                if m - k == run:
                    close = k
                    break
                k = m
            else:
                k += 1
        if close < 0:
            i = j  # a literal run of backticks
            continue
        content = text[j:close]
        if len(content) >= 2 and content[0] == " " and content[-1] == " " and content.strip():
            content = content[1:-1]
        spans.append(content)
        i = close + run
    return spans


def table_cells(row: str) -> list[str]:
    """A GFM table row split as GitHub splits it: on every `|` not escaped by a backslash, even
    inside a code span (GFM splits cells before it reads inlines)."""
    body = row.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    cells, cur, i = [], "", 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            # GFM: an escaped pipe is a literal `|` in the cell, code spans included.
            cur += "|" if body[i + 1] == "|" else body[i:i + 2]
            i += 2
            continue
        if body[i] == "|":
            cells.append(cur.strip())
            cur = ""
        else:
            cur += body[i]
        i += 1
    cells.append(cur.strip())
    return cells


def words_appear_in(quote: str, source: str) -> bool:
    """Whether the words of a quotation appear, in order and together, in the source (comment
    markers and line breaks are not words, so a cleaned doc comment still matches)."""
    q = WORD.findall(quote)
    if quote.rstrip().endswith("…") and q:
        q = q[:-1]  # the page cut the quotation in the middle of a word
    if not q:
        return True
    return f" {' '.join(q)} " in f" {' '.join(WORD.findall(source))} "


COMMAND_TREE_KINDS = {"click group", "click command", "argparse subcommand", "cobra command", "ArgumentParser subcommand", "commander command"}


def kebab(line: str) -> str:
    """A line as CLI libraries turn names into commands: `sync_all` -> `sync-all`, `UserCreate` -> `user-create`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", line).lower().replace("_", "-")


class Facts:
    """analysis.json of one documentation set, and the code it describes."""

    def __init__(self, analysis: dict, source: Callable[[str], str | None], commit: str) -> None:
        self.source = source
        self.commit = commit
        self.modules = {m["path"] for m in analysis["modules"]}
        self.files = {f["path"]: f["lines"] for f in analysis["files"]}
        self.symbols = analysis["symbols"]
        self.names = {s["name"] for s in self.symbols} | {s["qualified_name"] for s in self.symbols}
        # A type's bases count when its declaration (within its first lines) writes them.
        for s in analysis["symbols"]:
            head = source(s["path"])
            head = "\n".join(head.split("\n")[s["line"] - 1:s["line"] + 9]) if head is not None else ""
            self.names |= {b for b in s.get("inherits", []) if b in head}
        self.deps = {(d["from"], d["to"]): d for d in analysis["dependencies"]}
        self.imports = {e["import"] for d in analysis["dependencies"] for e in d["evidence"]}
        # The overview's facts (commands, entry points, routes, environment variables) count only when the line
        # they cite holds them: the fact's last word (a command's script or target) and its literal default.
        self.fact_spans: set[str] = set()
        for fact in analysis.get("facts", []):
            text = source(fact["path"])
            lines = text.split("\n") if text is not None else []
            cited = lines[fact["line"] - 1] if 0 < fact["line"] <= len(lines) else ""
            word = fact["text"].split()[-1] if fact["kind"] == "command" and fact["path"] != "README.md" else fact["text"]
            if fact["detail"] in COMMAND_TREE_KINDS:
                # A command of a tree: its own name is written on the cited line, as its library spells it
                # (`def sync_all` is `sync-all`, `UserCreate.self` is `user-create`).
                word = fact["text"].split()[-1]
                cited = cited + " " + kebab(cited)
            if word in cited and (fact["detail"] is None or fact["kind"] != "environment" or fact["detail"] in cited):
                self.fact_spans.add(fact["text"])
                if fact["detail"] is not None:
                    self.fact_spans.add(fact["detail"])


    def at(self, path: str, line: int) -> list[dict]:
        return [s for s in self.symbols if s["path"] == path and s["line"] == line]

    def place(self, span: str) -> tuple[str, int] | None:
        m = PLACE.fullmatch(span)
        if m and m.group(1) in self.files and 1 <= int(m.group(2)) <= max(1, self.files[m.group(1)]):
            return m.group(1), int(m.group(2))
        return None

    def known(self, span: str) -> bool:
        return (
            span in self.modules or span == "(root)" or span in self.files or self.place(span) is not None
            or span in self.names or span in self.imports or span in self.fact_spans
        )


def page_problems(text: str, rel: str, facts: Facts, docs: Path, seen: dict[str, int]) -> list[str]:
    """What a page names that the analysis or the code does not back; `seen` counts what was checked."""
    problems: list[str] = []
    lines = text.split("\n")
    heading: str | None = None  # the `### `Q`` being described
    symbol: dict | None = None  # the symbol behind it, once its `kind · path:line` line matched
    last_path: str | None = None  # the file of the latest `path:line`
    definition_path: str | None = None  # C: the file that defines the declaration cited last
    header: list[str] | None = None  # the current table's header
    section_name = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        where = f"{rel}:{i + 1}"
        fence = FENCE.match(line)
        if fence:
            mark, info = fence.group(1), fence.group(2).strip()
            body: list[str] = []
            i += 1
            while i < len(lines) and not (lines[i].strip().startswith(mark) and set(lines[i].strip()) == {mark[0]}):
                body.append(lines[i])
                i += 1
            i += 1
            seen["code blocks"] += 1
            problems += fence_problems(info, body, symbol, facts, where)
            continue
        if line.startswith(">"):
            quote: list[str] = []
            while i < len(lines) and lines[i].startswith(">"):
                quote.append(lines[i][1:])
                i += 1
            j = i
            while j < len(lines) and not lines[j].strip():
                j += 1
            cited = last_path
            if j < len(lines) and lines[j].startswith("— from "):
                spans = code_spans(lines[j])
                cited = spans[0] if spans else None
            src = facts.source(cited) if cited else None
            if src is not None and cited == last_path and definition_path and not words_appear_in("\n".join(quote), src):
                cited, src = definition_path, facts.source(definition_path)
            seen["quotations"] += 1
            if src is None:
                problems.append(f"{where}: a quotation without a source file ({cited!r})")
            elif not words_appear_in("\n".join(quote), src):
                problems.append(f"{where}: quotation not found in {cited}: {' '.join(quote)[:120]!r}")
            continue
        i += 1
        if not line.startswith("|"):
            header = None
        if line.startswith("## "):
            section_name, heading, symbol = line[3:].strip(), None, None
        if line.startswith("**") and line.endswith("**"):
            section_name = line.strip("*")

        spans = code_spans(line)
        seen["code spans"] += len(spans)
        if line.startswith("|"):
            cells = table_cells(line)
            if header is None:
                header = [c.strip() for c in cells]
                continue
            if all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                continue
            if len(cells) != len(header):
                problems.append(f"{where}: table row has {len(cells)} cells, its header {len(header)}: {line[:160]}")
                continue
            if header == ["Member", "Kind", "Declaration", "Line"]:
                problems += member_row_problems(cells, facts, where)
                continue
            if header[:2] == ["File", "Language"]:
                name = code_spans(cells[0])
                if not name or name[0] not in facts.files:
                    problems.append(f"{where}: unknown file {cells[0]}")
                elif cells[2] != str(facts.files[name[0]]):
                    problems.append(f"{where}: {name[0]} has {facts.files[name[0]]} lines, the page says {cells[2]}")
                continue
        if line.startswith("### "):
            heading = spans[0] if spans else None
            symbol = None
            if heading is None or heading not in facts.names:
                problems.append(f"{where}: heading names an unknown declaration: {line}")
            continue
        kind_line = re.fullmatch(r"(\w+) · \[`(.+?):(\d+)`\]\([^)\s]+\)(?: · defined at \[`(.+?):(\d+)`\]\([^)\s]+\))?", line)
        if kind_line and heading is not None:
            path, number = kind_line.group(2), int(kind_line.group(3))
            last_path, definition_path = path, None
            match = [s for s in facts.at(path, number) if s["qualified_name"] == heading and s["kind"] == kind_line.group(1)]
            if not match:
                problems.append(f"{where}: no {kind_line.group(1)} {heading} at {path}:{number} in the analysis")
            symbol = match[0] if match else None
            if kind_line.group(4):
                # C: the header's declaration, and where it is defined; the doc comment may be the definition's.
                definition_path, place = kind_line.group(4), f"{kind_line.group(4)}:{kind_line.group(5)}"
                src = facts.source(definition_path)
                defined = src.split("\n")[int(kind_line.group(5)) - 1] if src and int(kind_line.group(5)) <= src.count("\n") + 1 else ""
                if symbol is not None and symbol.get("defined_at") != place:
                    problems.append(f"{where}: {heading} is defined at {symbol.get('defined_at')}, the page says {place}")
                if heading.split(".")[-1] not in defined:
                    problems.append(f"{where}: {place} does not name {heading}: {defined!r}")
            continue
        dep = re.fullmatch(r"- \[`(.+?)`\]\((.+?)\) — (`+)(.+?)\3 at `(.+):(\d+)`(?: \(and (\d+) more\))?", line)
        if dep:
            other, link, _, target, path, number, more = dep.groups()
            module = re.sub(r"\.md$", "", rel.split("/")[-1])
            mine = next((m for m in facts.modules if page_name(m) == module), None)
            key = (mine, other) if section_name == "Uses" else (other, mine)
            d = facts.deps.get(key)
            if d is None:
                problems.append(f"{where}: no dependency {key[0]} → {key[1]} in the analysis")
            else:
                first = d["evidence"][0]
                if (import_text(first["import"]), first["path"], first["line"]) != (target, path, int(number)):
                    problems.append(f"{where}: evidence {target} at {path}:{number} is not the analysis's {first}")
                if int(more or 0) != len(d["evidence"]) - 1:
                    problems.append(f"{where}: says {more or 0} more imports, the analysis has {len(d['evidence']) - 1}")
            if not (docs / Path(rel).parent / link).is_file():
                problems.append(f"{where}: link to a missing page {link}")
            last_path = path
            continue
        for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", line):
            if not (docs / Path(rel).parent / image).is_file():
                problems.append(f"{where}: image {image} does not exist")
        for link in re.findall(r"(?<!!)\[[^\]]*\]\(([^)]+\.md)\)", line):
            if not (docs / Path(rel).parent / link).is_file():
                problems.append(f"{where}: link to a missing page {link}")
        for span in spans:
            if facts.place(span):
                last_path = facts.place(span)[0]
            if facts.known(span):
                continue
            if rel == "index.md" and line.startswith("_Commit") and facts.commit.startswith(span):
                continue
            problems.append(f"{where}: `{span}` is not in the analysis")
    return problems


def import_text(target: str) -> str:
    """An import as the pages quote it (BuiltinGenerator.importText): on one line, at most 120 characters."""
    line = " ".join(target.split()).replace("{ ", "{").replace(" }", "}")
    return line[:120] + "…" if len(line) > 120 else line


def member_row_problems(cells: list[str], facts: Facts, where: str) -> list[str]:
    name_spans, decl_spans, place_spans = code_spans(cells[0]), code_spans(cells[2]), code_spans(cells[3])
    if not name_spans or not place_spans or not facts.place(place_spans[0]):
        return [f"{where}: member row without a name and a known place: {cells}"]
    name, (path, number) = name_spans[0], facts.place(place_spans[0])
    match = [s for s in facts.at(path, number) if s["name"] == name and s["kind"] == cells[1]]
    if not match:
        return [f"{where}: no {cells[1]} {name} at {path}:{number} in the analysis"]
    problems = []
    if match[0].get("signatures"):
        # An overload group: one code span per declaration, as the analysis lists them.
        if decl_spans != match[0]["signatures"]:
            problems.append(f"{where}: declaration cell {cells[2]!r} is not {name}'s overloads {match[0]['signatures']}")
    elif len(decl_spans) != 1 or name not in decl_spans[0]:
        problems.append(f"{where}: declaration cell {cells[2]!r} is not {name}'s")
    elif match[0]["signature"] and match[0]["signature"][:60] not in decl_spans[0]:
        problems.append(f"{where}: declaration {decl_spans[0]!r} lacks the signature {match[0]['signature']!r}")
    doc = cells[0].split(" — ", 1)[1] if " — " in cells[0] else ""
    src = facts.source(path) or ""
    if doc and not words_appear_in(html.unescape(re.sub(r"\\(.)", r"\1", doc)), src):
        problems.append(f"{where}: member doc {doc!r} is not in {path}")
    return problems


def fence_problems(info: str, body: list[str], symbol: dict | None, facts: Facts, where: str) -> list[str]:
    if info == "mermaid":
        problems, ids = [], {}
        for b in body:
            node = re.fullmatch(r'\s*(m\d+)\["(.*)"\]', b)
            edge = re.fullmatch(r"\s*(m\d+) --> (m\d+)", b)
            if node:
                ids[node.group(1)] = node.group(2)
                if node.group(2) not in facts.modules:
                    problems.append(f"{where}: diagram node {node.group(2)!r} is not a module")
            elif edge:
                key = (ids.get(edge.group(1)), ids.get(edge.group(2)))
                if key not in facts.deps:
                    problems.append(f"{where}: diagram edge {key[0]} → {key[1]} is not a dependency in the analysis")
            elif b.strip() not in ("graph LR", "graph TD", "flowchart LR"):
                problems.append(f"{where}: unexpected Mermaid line {b!r}")
        return problems
    text = "\n".join(body)
    if symbol is None:
        return [f"{where}: a code block that belongs to no listed declaration: {text[:80]!r}"]
    if symbol["name"] not in text:
        return [f"{where}: code block {text[:80]!r} does not name {symbol['qualified_name']}"]
    if symbol.get("signatures"):
        if body != symbol["signatures"]:
            return [f"{where}: code block {text[:80]!r} is not the overloads {symbol['signatures']}"]
        return []
    if symbol["signature"] and symbol["signature"][:60] not in text:
        return [f"{where}: code block {text[:80]!r} lacks the signature {symbol['signature']!r}"]
    return []


def truth_problems(docs: Path, facts: Facts, seen: dict[str, int] | None = None) -> list[str]:
    problems: list[str] = []
    seen = seen if seen is not None else {}
    for key in ("code spans", "code blocks", "quotations"):
        seen.setdefault(key, 0)
    pages = sorted(docs.rglob("*.md"))
    assert pages, f"no pages in {docs}"
    for page in pages:
        rel = page.relative_to(docs).as_posix()
        problems += page_problems(page.read_text(), rel, facts, docs, seen)
    # And the analysis itself is the code's: files with their line counts, symbols on their lines.
    for path, count in facts.files.items():
        text = facts.source(path)
        if text is None:
            problems.append(f"analysis.json: file {path} is not in the commit")
        elif count != len(text.splitlines()):
            problems.append(f"analysis.json: {path} has {len(text.splitlines())} lines, the analysis says {count}")
    for s in facts.symbols:
        lines = (facts.source(s["path"]) or "").split("\n")
        # ctags spells C++ operators with a space (`operator []`) where the code may have none.
        squeezed = re.sub(r"\s", "", s["name"])
        if not 1 <= s["line"] <= len(lines) or squeezed not in re.sub(r"\s", "", lines[s["line"] - 1]):
            got = lines[s["line"] - 1] if 1 <= s["line"] <= len(lines) else "(no such line)"
            problems.append(f"analysis.json: {s['qualified_name']} is not on {s['path']}:{s['line']} ({got.strip()[:80]!r})")
    return problems


def facts_of(docs: Path, repo: Path, commit: str) -> Facts:
    return Facts(json.loads((docs / "analysis.json").read_text()), GitSource(repo, commit), commit)


# --- eight languages, one job --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def polyglot(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> dict:
    repo = write_repo(tmp_path_factory.mktemp("polyglot"), "poly", POLYGLOT)
    repo_id = stack.add_repository(repo)
    job = run_job(stack, repo_id)
    docs = docs_of(stack, job)
    analysis = json.loads((docs / "analysis.json").read_text())
    pages = {p.relative_to(docs).as_posix(): p.read_text() for p in docs.rglob("*.md")}
    return {"repo": repo, "repo_id": repo_id, "job": job, "docs": docs, "analysis": analysis, "pages": pages}


def module_page(polyglot: dict, module: str) -> str:
    return polyglot["pages"][f"modules/{page_name(module)}.md"]


def test_every_module_gets_a_markdown_and_an_html_page(polyglot: dict) -> None:
    docs, job = polyglot["docs"], polyglot["job"]
    assert sorted(m["path"] for m in polyglot["analysis"]["modules"]) == MODULES
    assert job["total_objects"] == len(MODULES) and job["processed_objects"] == len(MODULES), job
    index = json.loads((docs / "index.json").read_text())
    assert sorted(o["path"] for o in index["objects"]) == MODULES
    for module in MODULES:
        md = module_page(polyglot, module)
        assert md.startswith(f"# Module `{module}`\n"), md[:80]
        page = (docs / "modules" / f"{page_name(module)}.html").read_text()
        assert "<h1 id=" in page and html.escape(module) in page, page[:300]
    assert "<table>" in (docs / "index.html").read_text()
    overview = polyglot["pages"]["index.md"]
    for module in MODULES:
        assert f"[`{module}`](modules/{page_name(module)}.md)" in overview
    languages = section(overview, "Languages")
    for language in ("Python", "Go", "Rust", "TypeScript", "JavaScript", "Java", "C", "Ruby", "Swift"):
        assert f"| {language} |" in languages, languages


def test_coverage_is_on_the_job_the_index_and_the_pages(polyglot: dict) -> None:
    job, docs = polyglot["job"], polyglot["docs"]
    index = json.loads((docs / "index.json").read_text())
    objects = index["objects"]
    public = sum(o["coverage"]["public_symbols"] for o in objects)
    documented = sum(o["coverage"]["documented_symbols"] for o in objects)
    assert public > 0 and 0 < documented < public, objects
    assert job["coverage"] == index["coverage"] == json.loads((docs / "coverage.json").read_text())
    assert (job["coverage"]["public_symbols"], job["coverage"]["documented_symbols"]) == (public, documented)
    assert job["coverage"]["modules"] == len(MODULES)
    # Weighted by public symbols; each module's figure is rounded to a tenth.
    weighted = sum(o["coverage"]["percent"] * o["coverage"]["public_symbols"] for o in objects) / public
    assert abs(job["coverage"]["percent"] - weighted) < 0.1, (job["coverage"], weighted)
    for o in objects:
        c = o["coverage"]
        share = 90 * c["documented_symbols"] / c["public_symbols"] if c["public_symbols"] else 0
        assert abs(c["percent"] - ((10 if c["package_doc"] else 0) + share)) < 0.06, o
        assert f"{c['percent']:.1f} %: package documentation {'present' if c['package_doc'] else 'missing'}" in (
            section(module_page(polyglot, o["path"]), "Coverage"))
    assert f"{job['coverage']['percent']:.1f} % overall" in section(polyglot["pages"]["index.md"], "Documentation coverage")
    assert job["unverified_mentions"] == 0


@pytest.mark.parametrize("module,path,text,name,doc,listed", DECLARATIONS, ids=[f"{d[0]}:{d[3]}" for d in DECLARATIONS])
def test_public_declarations_are_listed_with_file_line_and_doc_comment(
    polyglot: dict, module: str, path: str, text: str, name: str, doc: str, listed: str
) -> None:
    md = module_page(polyglot, module)
    api = section(md, "API reference")
    place = f"`{path}:{line_of(path, text)}`"
    if listed == "heading":
        # The citation is a link to the source at the documented commit.
        cited = rf"\[{re.escape(place)}\]\([^)\s]+#L\d+\)"
        defined = r"(?: · defined at \[`[^`]+`\]\([^)\s]+#L\d+\))?"  # C: the header's declaration, then the definition
        pattern = rf"^### `{re.escape(name)}`\n\n\w+ · {cited}{defined}\n\n```\w*\n(.*?)\n```\n\n(.*?)(?:\n\n|\Z)"
        m = re.search(pattern, api, re.M | re.S)
        assert m, f"no `### {name}` with {place} in {module}'s API reference:\n{api}"
        assert name.split(".")[-1] in m.group(1)
        assert m.group(2) == f"> {doc}", m.group(2)
    else:
        row = next((r for r in api.split("\n") if r.startswith(f"| `{name}`")), None)
        assert row is not None, f"no member row for {name} in:\n{api}"
        assert f" — {doc} |" in row.replace("\\", "") and re.search(rf"\| \[{re.escape(place)}\]\([^)\s]+\) \|$", row.rstrip()), row
    html_page = (polyglot["docs"] / "modules" / f"{page_name(module)}.html").read_text()
    assert f"<code>{html.escape(name, quote=False)}</code>" in html_page
    assert html.escape(doc, quote=False) in html_page


def test_a_c_function_is_one_entry_at_its_header_with_its_definition_beside_it(polyglot: dict) -> None:
    api = section(module_page(polyglot, "clib"), "API reference")
    assert api.count("### `vec_push`") == 1
    header, source = line_of("clib/vector.h", "int vec_push"), line_of("clib/vector.c", "int vec_push")
    entry = re.search(r"^### `vec_push`\n\n(.*)$", api, re.M)
    assert entry and re.fullmatch(
        rf"prototype · \[`clib/vector.h:{header}`\]\([^)\s]+#L{header}\) · defined at \[`clib/vector.c:{source}`\]\([^)\s]+#L{source}\)",
        entry.group(1)), entry and entry.group(1)


@pytest.mark.parametrize("module,name", NOT_PUBLIC, ids=[f"{m}:{n}" for m, n in NOT_PUBLIC])
def test_declarations_outside_the_public_surface_are_not_listed(polyglot: dict, module: str, name: str) -> None:
    assert f"`{name}" not in module_page(polyglot, module)
    assert name not in {s["name"] for s in polyglot["analysis"]["symbols"]}


def test_purpose_comes_from_the_modules_own_words(polyglot: dict) -> None:
    for module, (text, source) in PURPOSES.items():
        assert section(module_page(polyglot, module), "Purpose") == f"> {text}\n\n— from `{source}`"
    overview = polyglot["pages"]["index.md"]
    about = "> A small project in eight languages, for the tests of Scribe.\n\n— from `README.md`"
    assert section(overview, "About") == about


def test_a_module_without_docs_says_so_and_nothing_else(polyglot: dict) -> None:
    md = module_page(polyglot, "undocumented")
    assert section(md, "Purpose") == NOT_DOCUMENTED
    api = section(md, "API reference")
    assert "### `helper`" in api and "_No doc comment._" in api
    overview_row = next(r for r in polyglot["pages"]["index.md"].split("\n") if r.startswith("| [`undocumented`]"))
    assert overview_row.rstrip().endswith(f"| {NOT_DOCUMENTED} |")


def test_dependencies_show_the_real_imports(polyglot: dict) -> None:
    found = {(d["from"], d["to"]): d["evidence"] for d in polyglot["analysis"]["dependencies"]}
    assert set(found) == set(IMPORTS), "the module graph has invented or missing edges"
    for (src, dst), (path, written) in IMPORTS.items():
        line = line_of(path, written)
        assert [(e["path"], e["line"]) for e in found[(src, dst)]] == [(path, line)]
        uses = section(module_page(polyglot, src), "Dependencies")
        link = rf"\[`{re.escape(dst)}`\]\({re.escape(page_name(dst))}\.md\)"
        at = rf"\[`{re.escape(path)}:{line}`\]\([^)\s]+#L{line}\)"  # a link to the import in the source
        assert re.search(rf"^\*\*Uses\*\*\n\n- {link} — `[^`]+` at {at}$", uses, re.M), uses
        used_by = section(module_page(polyglot, dst), "Dependencies")
        assert f"- [`{src}`]({page_name(src)}.md) — " in used_by and f" at [`{path}:{line}`](" in used_by, used_by
    lonely = section(module_page(polyglot, "undocumented"), "Dependencies")
    assert lonely == "No imports between this module and the repository's other modules were found."


def test_dependency_evidence_quotes_the_import_as_written(polyglot: dict) -> None:
    """The import a page cites is the text on the cited line, not a rewritten form of it."""
    wrong = []
    for (src, dst), (path, written) in IMPORTS.items():
        line = line_of(path, written)
        shown = re.search(rf"— `([^`]+)` at \[`{re.escape(path)}:{line}`\]", module_page(polyglot, src)).group(1)
        source_line = POLYGLOT[path].split("\n")[line - 1]
        if shown not in source_line:
            wrong.append(f"{src} → {dst}: the page cites `{shown}`, {path}:{line} says {source_line.strip()!r}")
    assert not wrong, "\n".join(wrong)


def test_diagrams_are_mermaid_in_markdown_and_svg_files(polyglot: dict) -> None:
    docs = polyglot["docs"]
    overview = section(polyglot["pages"]["index.md"], "Module dependencies")
    mermaid = re.search(r"```mermaid\ngraph LR\n(.*?)```", overview, re.S)
    assert mermaid, overview
    nodes = dict(re.findall(r'^\s*(m\d+)\["(.+)"\]$', mermaid.group(1), re.M))
    edges = {(nodes[a], nodes[b]) for a, b in re.findall(r"^\s*(m\d+) --> (m\d+)$", mermaid.group(1), re.M)}
    assert edges == set(IMPORTS)
    assert "![Module dependencies](diagrams/overview.svg)" in overview
    svg = (docs / "diagrams" / "overview.svg").read_text()
    assert "<svg" in svg and "</svg>" in svg
    for src, dst in IMPORTS:
        assert f">{html.escape(src)}</text>" in svg and f">{html.escape(dst)}</text>" in svg
    for src, dst in IMPORTS:
        for module in (src, dst):
            md = module_page(polyglot, module)
            assert "```mermaid\ngraph LR\n" in md
            assert f"![Dependencies of {module}](../diagrams/{page_name(module)}.svg)" in md
            assert "<svg" in (docs / "diagrams" / f"{page_name(module)}.svg").read_text()
    assert not (docs / "diagrams" / "undocumented.svg").exists()
    assert not list((docs / "diagrams").glob("*.dot")), "Graphviz's inputs are left behind"


def test_html_tables_keep_their_columns(polyglot: dict) -> None:
    """A `|` in a signature must not split a table cell (GFM needs it escaped, even in code)."""
    page = (polyglot["docs"] / "modules" / "pyutil.html").read_text()
    row = re.search(r"<tr>\s*<td><code>pick</code>.*?</tr>", page, re.S)
    assert row, page
    cells = re.findall(r"<td>(.*?)</td>", row.group(0), re.S)
    assert len(cells) == 4, cells
    assert "int | None" in html.unescape(re.sub("<[^>]+>", "", cells[2])), cells[2]
    line = line_of('pyutil/text.py', 'def pick')
    assert cells[3] == f'<a href="../source/pyutil+text.py.html#L{line}"><code>pyutil/text.py:{line}</code></a>', cells[3]


def test_pages_are_listed_and_sent_through_the_api(stack: Stack, polyglot: dict) -> None:
    repo_id = polyglot["repo_id"]
    r = stack.api("GET", f"/api/repositories/{repo_id}/pages")
    assert r.status == 200, r.body
    listed = {p["path"]: p for p in r.body["pages"]}
    for path in ["index.md", "index.html", "index.json", "analysis.json", "diagrams/overview.svg"] + [
        f"modules/{page_name(m)}.{ext}" for m in MODULES for ext in ("md", "html")
    ]:
        assert path in listed, path
    page = stack.api("GET", f"/api/repositories/{repo_id}/pages/modules/gocore.md")
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/markdown")
    assert page.body == module_page(polyglot, "gocore")
    svg = stack.api("GET", f"/api/repositories/{repo_id}/pages/diagrams/gocore.svg")
    assert svg.status == 200 and svg.headers["Content-Type"].startswith("image/svg+xml") and "<svg" in svg.body


def test_pages_of_the_fixtures_name_only_what_the_analysis_holds(polyglot: dict) -> None:
    facts = facts_of(polyglot["docs"], polyglot["repo"], polyglot["job"]["resolved_commit"])
    seen: dict[str, int] = {}
    problems = truth_problems(polyglot["docs"], facts, seen)
    assert not problems, f"{len(problems)} untrue statements:\n" + "\n".join(problems[:40])
    assert seen["code spans"] > 150 and seen["code blocks"] > 20 and seen["quotations"] > 20, seen


def test_the_truthfulness_check_finds_invented_statements(polyglot: dict, tmp_path: Path) -> None:
    """The check above can fail: pages with one invention each are caught."""
    facts = facts_of(polyglot["docs"], polyglot["repo"], polyglot["job"]["resolved_commit"])
    original = module_page(polyglot, "gocore")
    place = f"gocore/store.go:{line_of('gocore/store.go', 'func NewStore')}"
    inventions = {
        "an unknown name": original.replace("## Files", "See `gocore.Delete`.\n\n## Files"),
        "a wrong line": original.replace(f"`{place}`", "`gocore/store.go:3`"),
        "an invented doc comment": original.replace("> NewStore returns an empty store.", "> NewStore is thread-safe."),
        "an invented edge": original.replace("  m0 --> m1\n", "  m0 --> m1\n  m1 --> m0\n"),
        "a signature of another declaration": original.replace("NewStore() -> *Store\n", "Serve(addr string)\n"),
        "an unknown file": original.replace("| [`gocore/store.go`](", "| [`gocore/cache.go`]("),
    }
    for what, text in inventions.items():
        assert text != original, what
        docs = tmp_path / what.replace(" ", "-")
        (docs / "modules").mkdir(parents=True)
        (docs / "modules" / "gocore.md").write_text(text)
        (docs / "modules" / "goapi.md").write_text("")
        (docs / "index.md").write_text("")
        (docs / "diagrams").mkdir()
        (docs / "diagrams" / "gocore.svg").write_text("<svg/>")
        problems = [p for p in truth_problems(docs, facts) if p.startswith("modules/gocore.md")]
        assert problems, f"{what} was not caught"


def test_pages_of_this_project_name_only_what_the_analysis_holds(stack: Stack) -> None:
    """This project's own history, cloned from its folder (SCRIBE_ALLOW_LOCAL_REPOS=1)."""
    repo_id = stack.add_repository(REPO_ROOT)
    job = run_job(stack, repo_id, {"regenerate_all": True}, timeout=90)
    docs = docs_of(stack, job)
    facts = facts_of(docs, REPO_ROOT, job["resolved_commit"])
    assert len(facts.symbols) > 200 and len(facts.modules) > 5, "this repository should give a real analysis"
    assert any(s["name"] == "BuiltinGenerator" for s in facts.symbols), "Swift symbols are missing"
    seen: dict[str, int] = {}
    problems = truth_problems(docs, facts, seen)
    assert not problems, f"{len(problems)} untrue statements:\n" + "\n".join(problems[:40])
    assert seen["code spans"] > 1000, seen


def test_scribe_generate_writes_the_same_pages_in_the_foreground(stack: Stack, polyglot: dict, tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = subprocess.run(
        [str(stack.bin_dir / "scribe"), "generate", str(polyglot["repo"]), "--out", str(out), "--json"],
        capture_output=True, text=True, timeout=120,
    )
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["modules"] == len(MODULES) and summary["files"] == len(polyglot["analysis"]["files"])
    for module in ("gocore", "Sources/SwiftKit"):
        assert (out / "modules" / f"{page_name(module)}.md").read_text() == module_page(polyglot, module)
        assert (out / "modules" / f"{page_name(module)}.html").is_file()
    assert (out / "diagrams" / "overview.svg").is_file()


def test_scribe_generate_exits_3_when_a_module_failed(stack: Stack, git_repo, tmp_path: Path) -> None:
    """The documentation is written without the failed module's page; scripts learn it from the exit status."""
    repo = git_repo(modules={"core": None, "storage": None})
    out = tmp_path / "out"
    # A folder where storage's page goes: the page cannot be written, the rest can.
    (out / "modules" / "storage.md").mkdir(parents=True)
    (out / "modules" / "storage.md" / "keep").write_text("")
    r = subprocess.run(
        [str(stack.bin_dir / "scribe"), "generate", str(repo), "--out", str(out), "--json"],
        capture_output=True, text=True, timeout=120,
    )
    assert r.returncode == 3, (r.returncode, r.stderr)
    summary = json.loads(r.stdout)
    assert summary["partial"] is True and summary["failed_modules"] == 1, summary
    assert "completed with 1 failed modules" in r.stderr and "storage" in r.stderr, r.stderr
    assert (out / "modules" / "core.md").is_file()
    assert not (out / "modules" / "storage.md.tmp").exists()

    # The same tree with nothing in the way: 0.
    r = subprocess.run(
        [str(stack.bin_dir / "scribe"), "generate", str(repo), "--out", str(tmp_path / "clean"), "--json"],
        capture_output=True, text=True, timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["partial"] is False


# --- what is never read: links out of the clone, huge and binary files --------------------------------

OUTSIDE_MARKER = "never-document-me-7f3a"
HUGE_MARKER = "huge_function_marker"
BINARY_MARKER = "binary_function_marker"


@pytest.fixture(scope="module")
def edges(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("edges")
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text(
        f'OUTSIDE_SECRET = "{OUTSIDE_MARKER}"\n\n\ndef outside_secret_function():\n    """{OUTSIDE_MARKER}"""\n'
    )
    files: dict[str, str | bytes] = {
        "core/api.py": 'def core_entry(value):\n    """Returns value."""\n    return value\n',
        "assets/huge.py": f"def {HUGE_MARKER}():\n    pass\n" + "# padding to pass the limit\n" * 40_000,  # 1.1 MiB
        "assets/blob.c": (f"int {BINARY_MARKER}(void);\n".encode() + bytes(range(256))) * 4,
    }
    assert len(files["assets/huge.py"]) > 1 << 20
    links = {"core/leak.py": str(outside / "secret.py"), "core/leakdir": str(outside)}
    repo = write_repo(base, "edges", files, links)
    job = run_job(stack, stack.add_repository(repo))
    docs = docs_of(stack, job)
    return {"job": job, "docs": docs, "analysis": json.loads((docs / "analysis.json").read_text())}


def all_output(docs: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in docs.rglob("*") if p.is_file())


def test_symbolic_links_out_of_the_clone_are_not_followed(edges: dict) -> None:
    assert edges["analysis"]["skipped"]["symlinks"] == 2
    paths = {f["path"] for f in edges["analysis"]["files"]}
    assert not {p for p in paths if p.startswith(("core/leak", "core/leakdir"))}, paths
    text = all_output(edges["docs"])
    assert OUTSIDE_MARKER not in text and "outside_secret_function" not in text


def test_huge_and_binary_files_are_skipped_and_counted(edges: dict) -> None:
    skipped = edges["analysis"]["skipped"]
    assert (skipped["oversized"], skipped["binary"]) == (1, 1), skipped
    paths = {f["path"] for f in edges["analysis"]["files"]}
    assert "assets/huge.py" not in paths and "assets/blob.c" not in paths
    text = all_output(edges["docs"])
    assert HUGE_MARKER not in text and BINARY_MARKER not in text
    size = section((edges["docs"] / "index.md").read_text(), "Size")
    assert "1 binary files" in size and "1 oversized files" in size and "2 symbolic links" in size, size
    assert "core_entry" in (edges["docs"] / "modules" / "core.md").read_text()


@pytest.mark.parametrize("kind", ["no commits", "only a binary file"])
def test_an_empty_repository_fails_with_the_seeds_message(stack: Stack, tmp_path: Path, kind: str) -> None:
    if kind == "no commits":
        repo = tmp_path / "empty"
        repo.mkdir()
        git(repo, "init", "-q", "-b", "main")
    else:
        repo = write_repo(tmp_path, "blank", {"data.bin": bytes(64)}, readme=None)
    job = run_job(stack, stack.add_repository(repo), until=("failed",), timeout=30)
    assert job["error_message"] == EMPTY, job
    assert job["attempt"] == 1, "an empty repository is fatal, not retried"


# --- chosen modules ------------------------------------------------------------------------------------


@pytest.fixture
def throttled(stack: Stack) -> Iterator[Stack]:
    """The stack with workers spending 300 ms per module, so that each module's step can be seen;
    scribe-fcgi keeps the settings this file gave it (the GitHub stand-ins', if any)."""
    settings = dict(FCGI_SETTINGS)
    stack.cancel_active_jobs()
    stack.restart_fcgi(**settings, SCRIBE_WORKER_OBJECT_DELAY_MS="300")
    try:
        yield stack
    finally:
        stack.cancel_active_jobs()
        stack.restart_fcgi(**settings)


def test_options_modules_limits_the_objects_and_the_progress(throttled: Stack, tmp_path: Path) -> None:
    stack = throttled
    repo = make_git_repo(tmp_path, modules={m: None for m in ("alpha", "beta", "gamma", "delta")})
    repo_id = stack.add_repository(repo)
    history: list = []
    job_id = start_job(stack, repo_id, {"modules": ["beta", "delta"]})
    job = stack.poll_job(job_id, timeout=30, interval=0.05, history=history)
    assert (job["total_objects"], job["processed_objects"], job["failed_objects"]) == (2, 2, 0), job
    assert set(objects_of(stack, job["id"])) == {"beta", "delta"}
    events = events_of(stack, job["id"])
    assert {e["object"] for e in events if e["object"]} == {"beta", "delta"}
    steps = {j["current_step"] for _, j in history if "Generating documentation" in (j["current_step"] or "")}
    assert steps and steps <= {"Generating documentation: beta (1 of 2)", "Generating documentation: delta (2 of 2)"}, steps
    assert {j["total_objects"] for _, j in history if j["status"] == "running"} <= {0, 2}
    progress = [j["progress"] for _, j in history]
    assert progress == sorted(progress), progress
    docs = docs_of(stack, job)
    assert sorted(p.name for p in (docs / "modules").glob("*.md")) == ["beta.md", "delta.md"]
    assert [o["path"] for o in json.loads((docs / "index.json").read_text())["objects"]] == ["beta", "delta"]
    modules_table = section((docs / "index.md").read_text(), "Modules")
    assert "`beta`" in modules_table and "`delta`" in modules_table and "`alpha`" not in modules_table

    unknown = run_job(stack, repo_id, {"modules": ["beta", "nosuch"]}, until=("failed",), timeout=30)
    assert "nosuch" in unknown["error_message"], unknown


# --- the cache -----------------------------------------------------------------------------------------


@pytest.fixture
def cached(stack: Stack, tmp_path: Path) -> dict:
    """A repository with three modules, documented once."""
    repo = make_git_repo(tmp_path, modules={m: None for m in ("core", "storage", "web")})
    repo_id = stack.add_repository(repo)
    first = run_job(stack, repo_id)
    assert first["cache_hit"] is False
    return {"repo": repo, "repo_id": repo_id, "first": first, "docs": docs_of(stack, first)}


def test_a_second_job_for_the_same_commit_is_a_cache_hit(stack: Stack, cached: dict) -> None:
    started = time.monotonic()
    job = run_job(stack, cached["repo_id"])
    wall = time.monotonic() - started
    assert job["cache_hit"] is True, job
    assert job["resolved_commit"] == cached["first"]["resolved_commit"]
    took = (parse_time(job["finished_at"]) - parse_time(job["started_at"])).total_seconds()
    assert took < 0.5, f"a cache hit took {took:.3f} s from start to finish"
    assert wall < 3, f"a cache hit took {wall:.2f} s from the request to the completed job"
    assert job["progress"] == 100 and job["error_message"] is None
    r = stack.api("GET", f"/api/repositories/{cached['repo_id']}/pages/modules/core.md")
    assert r.status == 200 and r.body == (cached["docs"] / "modules" / "core.md").read_text()


def test_regenerate_all_bypasses_the_cache(stack: Stack, cached: dict) -> None:
    job = run_job(stack, cached["repo_id"], {"regenerate_all": True})
    assert job["cache_hit"] is False, job
    assert {o["status"] for o in objects_of(stack, job["id"]).values()} == {"done"}
    assert job["docs_path"] != cached["first"]["docs_path"]


def test_a_commit_changing_one_module_regenerates_only_that_module(stack: Stack, cached: dict) -> None:
    api = cached["repo"] / "storage" / "storage_api.py"
    commit = commit_files(cached["repo"], {
        "storage/storage_api.py": api.read_text() + '\n\ndef storage_compact():\n    """Compacts the storage."""\n',
    })
    job = run_job(stack, cached["repo_id"])
    assert job["cache_hit"] is False and job["resolved_commit"] == commit, job
    statuses = {path: o["status"] for path, o in objects_of(stack, job["id"]).items()}
    assert statuses == {"core": "skipped", "storage": "done", "web": "skipped"}, statuses
    assert (job["processed_objects"], job["total_objects"]) == (3, 3), job
    docs = docs_of(stack, job)
    assert "### `storage_compact`" in (docs / "modules" / "storage.md").read_text()
    for module in ("core", "web"):
        assert (docs / "modules" / f"{module}.md").read_text() == (cached["docs"] / "modules" / f"{module}.md").read_text()
        assert (docs / "modules" / f"{module}.html").is_file()


def test_skip_existing_keeps_the_pages_already_written(stack: Stack, cached: dict) -> None:
    api = cached["repo"] / "core" / "core_api.py"
    commit_files(cached["repo"], {"core/core_api.py": api.read_text() + '\n\ndef core_reset():\n    """Resets."""\n'})
    job = run_job(stack, cached["repo_id"], {"skip_existing": True})
    objects = objects_of(stack, job["id"])
    assert {o["status"] for o in objects.values()} == {"skipped"}, objects
    docs = docs_of(stack, job)
    kept = (docs / "modules" / "core.md").read_text()
    assert kept == (cached["docs"] / "modules" / "core.md").read_text() and "core_reset" not in kept


# --- private repositories on GitHub (a stand-in of its API, a real git smart-HTTP server) -----------------


class GitHub:
    """The stand-ins, the stack restarted to treat the git server as GitHub, and an owner."""

    def __init__(self, stack: Stack, api: GitHubAPI, server: GitHTTPServer, token: str, owner_token: str) -> None:
        self.stack, self.api, self.server, self.token, self.owner_token = stack, api, server, token, owner_token

    def repository(self, base: Path, name: str, files: dict[str, str | bytes] | None = None, **info: Any) -> str:
        """A private repository acme/NAME on the git server (empty without files) and in the API; returns its URL."""
        source = write_repo(base, name, files) if files is not None else None
        self.server.create_repository(f"acme/{name}", source, head=info.pop("head", None))
        self.api.add_repository(f"acme/{name}", private=True, **info)
        return self.server.url(f"acme/{name}")

    def store_token(self, token: str | None) -> None:
        r = self.stack.api("PUT", "/api/me/github-token", {"token": token}, token=self.owner_token)
        assert r.status == 200, r.body
        assert token is None or token not in json.dumps(r.body)

    def run(self, url: str, until: tuple[str, ...] = ("completed",), timeout: float = 60) -> dict:
        repo_id = self.stack.add_repository(url, token=self.owner_token)
        return run_job(self.stack, repo_id, token=self.owner_token, until=until, timeout=timeout)

    def git_requests(self, name: str) -> list[dict]:
        return [r for r in self.server.requests() if r["path"].startswith(f"/acme/{name}.git/")]


@pytest.fixture(scope="module")
def github(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GitHub]:
    token = "ghp_" + secrets.token_hex(18)
    api = GitHubAPI({token: "acme-owner"}).start()
    server = GitHTTPServer(tmp_path_factory.mktemp("git-http"), token).start()
    host = f"127.0.0.1:{server.port}"
    stack.cancel_active_jobs()
    FCGI_SETTINGS.update(
        SCRIBE_GITHUB_API=api.url,
        SCRIBE_GITHUB_HOSTS=f"github.com,{host}",
        SCRIBE_ALLOWED_HOSTS=f"github.com,http://{host}",
    )
    stack.restart_fcgi(**FCGI_SETTINGS)
    owner = stack.cli("user", "create", "--org", "e2e-github", "--email", "owner@github.test", "--admin")
    owner_token = owner.stdout.strip()
    gh = GitHub(stack, api, server, token, owner_token)
    try:
        yield gh
    finally:
        for job in stack.active_jobs(owner_token):
            stack.api("DELETE", f"/api/documentation/jobs/{job['id']}", token=owner_token)
        FCGI_SETTINGS.clear()
        stack.restart_fcgi()
        server.stop()
        api.stop()


@pytest.fixture
def gh(github: GitHub) -> Iterator[GitHub]:
    github.api.reset()
    github.server.delay = 0
    yield github
    github.server.delay = 0
    assert not github.api.violations, github.api.violations


class ArgvWatch(threading.Thread):
    """Reads every process's argv (/proc/*/cmdline) over and over while a job runs, and every file of
    the jobs' work folders (the clone and its .git/config live there only while the job runs)."""

    def __init__(self, needles: list[str], git_marker: str, work_folder: Path) -> None:
        super().__init__(daemon=True)
        self.needles = [n.encode() for n in needles]
        self.git_marker = git_marker.encode()
        self.work_folder = work_folder
        self.leaks: list[str] = []
        self.unreadable: list[str] = []
        self.git_pids: set[int] = set()
        self.work_files_seen: set[str] = set()
        self.scans = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            for entry in os.scandir("/proc"):
                if entry.name.isdigit():
                    self._read_argv(entry.name)
            if self.scans % 10 == 0:
                self._read_work_files()
            self.scans += 1
            time.sleep(0.005)

    def _read_argv(self, pid: str) -> None:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read()
        except (FileNotFoundError, ProcessLookupError):
            return  # the process ended between the listing and the read
        except OSError as error:
            # A process whose argv cannot be read could hold the token unseen: that fails the test.
            self.unreadable.append(f"pid {pid}: {error}")
            return
        program = argv.split(b"\0")[0]
        if any(n in argv for n in self.needles):
            self.leaks.append(f"pid {pid}: {program.decode(errors='replace')}")
        if self.git_marker in argv and program.endswith(b"git"):
            self.git_pids.add(int(pid))

    def _read_work_files(self) -> None:
        for top, _, names in os.walk(self.work_folder):
            self.work_files_seen.update(os.path.join(top, name) for name in names)
        self.leaks += [f"file {hit}" for hit in files_containing(self.work_folder, [n.decode() for n in self.needles])]

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)


def files_containing(folder: Path, needles: list[str]) -> list[str]:
    hits = []
    # os.walk, not rglob: a worker may still be removing its clone when the job reads completed, and
    # rglob raises when a folder vanishes under it (walk skips it).
    paths = (Path(top) / name for top, _, names in os.walk(folder) for name in names)
    for path in paths:
        try:
            if path.is_file() and not path.is_symlink():
                data = path.read_bytes()
                hits += [f"{path}" for n in needles if n.encode() in data]
        except OSError:
            continue
    return hits


def tables_containing(stack: Stack, needles: list[str]) -> list[str]:
    """The tables of the stack's database whose rows, printed as text, hold one of needles."""
    tables = stack.psql("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").split()
    assert {"jobs", "job_events", "users", "repositories"} <= set(tables), tables
    hits = []
    for table in tables:
        rows = stack.psql(f'SELECT t::text FROM "{table}" t')
        hits += [table for n in needles if n in rows]
    return hits


def test_a_private_repository_is_cloned_with_the_owners_token_which_never_leaks(gh: GitHub, tmp_path: Path) -> None:
    repo_files = {"core/api.py": 'def private_entry():\n    """Only in the private repository."""\n'}
    url = gh.repository(
        tmp_path, "widgets", repo_files, head="main", default_branch="trunk", description="Widgets, privately",
    )
    work = tmp_path / "widgets"
    git(work, "checkout", "-q", "-b", "trunk")
    trunk = commit_files(work, {"extras/more.py": 'def trunk_only():\n    """Only on trunk."""\n'}, "Trunk")
    gh.server.push("acme/widgets", work, "trunk")
    gh.store_token(gh.token)
    gh.server.delay = 0.4  # each git request waits, so that the clone's processes can be watched
    secrets_ = [gh.token, basic_token_header(gh.token).split()[1]]

    watch = ArgvWatch(secrets_, git_marker=f"127.0.0.1:{gh.server.port}", work_folder=gh.stack.data_dir / "jobs")
    watch.start()
    try:
        repo_id = gh.stack.add_repository(url, token=gh.owner_token)
        job = run_job(gh.stack, repo_id, token=gh.owner_token)
    finally:
        watch.stop()

    # It used the API's default branch and cloned through the git server with the token.
    assert job["attempt"] == 1 and job["resolved_commit"] == trunk, job
    repo = gh.stack.api("GET", f"/api/repositories/{repo_id}", token=gh.owner_token)
    assert (repo.body["default_branch"], repo.body["description"]) == ("trunk", "Widgets, privately"), repo.body
    docs = docs_of(gh.stack, job)
    assert "trunk_only" in (docs / "modules" / "extras.md").read_text()
    requests = gh.git_requests("widgets")
    assert any(r["path"].endswith("/git-upload-pack") and r["status"] == 200 for r in requests), requests
    assert all(r["auth_ok"] == 1 and r["status"] == 200 for r in requests), requests
    user, repo_call = gh.api.calls("/user"), gh.api.calls("/repos/acme/widgets")
    assert [c.token for c in user] == [gh.token] and [c.token for c in repo_call] == [gh.token]

    # The token was never in a process's argv nor in a file of the work folder while the job ran (and
    # the watch did see git at work and the clone on disk) …
    assert watch.git_pids, f"no git process was seen in {watch.scans} scans of /proc"
    assert any(f"/{job['id']}/" in f and "/.git/" in f for f in watch.work_files_seen), "the clone was never seen"
    assert not watch.unreadable, watch.unreadable
    assert not watch.leaks, watch.leaks
    # … nor in an answer of the API, an event, an error, a log or a page.
    answers = [
        gh.stack.api("GET", f"/api/documentation/jobs/{job['id']}", token=gh.owner_token).body,
        events_of(gh.stack, job["id"], token=gh.owner_token),
        gh.stack.api("GET", f"/api/documentation/jobs/{job['id']}/objects", token=gh.owner_token).body,
        repo.body,
        gh.stack.api("GET", "/api/repositories", token=gh.owner_token).body,
        gh.stack.api("GET", f"/api/repositories/{repo_id}/docs", token=gh.owner_token).body,
        gh.stack.api("GET", f"/api/repositories/{repo_id}/pages", token=gh.owner_token).body,
    ]
    # A page read through the API is written to this host's page cache (data/docs), which the grep below reads.
    page = gh.stack.api("GET", f"/api/repositories/{repo_id}/pages/modules/extras.md", token=gh.owner_token)
    assert page.status == 200 and "trunk_only" in str(page.body), page.status
    text = json.dumps(answers)
    assert not [s for s in secrets_ if s in text]
    # Every file of the stack: pages, work folders, worker logs, scribe-fcgi's log, nginx's logs.
    for folder in ("data/docs", "data/logs", "logs", "nginx/logs"):
        assert any((gh.stack.work_dir / folder).rglob("*")), f"{folder} is empty: the grep would prove nothing"
    assert not files_containing(gh.stack.work_dir, secrets_)
    assert not files_containing(gh.server.prefix / "logs", secrets_)  # its nginx.conf holds the header it expects
    # Every table, as text: only the sealed column holds the token, and not in a readable form.
    assert not tables_containing(gh.stack, secrets_)


def test_an_expired_token_fails_the_job_at_once(gh: GitHub, tmp_path: Path) -> None:
    url = gh.repository(tmp_path, "expired", {"core/api.py": "def entry():\n    pass\n"})
    revoked = "ghp_" + secrets.token_hex(18)
    gh.store_token(revoked)
    job = gh.run(url, until=("failed",), timeout=30)
    assert job["error_message"] == TOKEN_INVALID, job
    assert job["attempt"] == 1 and job["progress"] <= 25, job
    assert [c.status for c in gh.api.calls("/user")] == [401]
    assert gh.git_requests("expired") == [], "nothing is cloned with a token GitHub refused"
    text = json.dumps([job, events_of(gh.stack, job["id"], token=gh.owner_token)])
    assert revoked not in text
    assert not files_containing(gh.stack.work_dir, [revoked])


def test_a_private_repository_without_a_token_asks_for_one(gh: GitHub, tmp_path: Path) -> None:
    url = gh.repository(tmp_path, "hidden", {"core/api.py": "def entry():\n    pass\n"})
    gh.store_token(None)
    job = gh.run(url, until=("failed",), timeout=30)
    assert job["error_message"] == TOKEN_MISSING, job
    assert job["attempt"] == 1, job
    calls = gh.api.calls("/repos/acme/hidden")
    assert [(c.status, c.token) for c in calls] == [(404, None)], "GitHub hides a private repository behind 404"
    assert gh.git_requests("hidden") == []


@pytest.mark.parametrize("path,secondary", [("/user", False), ("/repos/", True)], ids=["primary-reset", "secondary-retry-after"])
def test_a_rate_limit_makes_the_job_wait_then_complete(gh: GitHub, tmp_path: Path, path: str, secondary: bool) -> None:
    """GitHub's primary limit says when it resets (x-ratelimit-remaining: 0, x-ratelimit-reset, no Retry-After);
    a secondary limit is a 403 with requests left and a Retry-After."""
    name = "limited-" + ("secondary" if secondary else "primary")
    url = gh.repository(tmp_path, name, {"core/api.py": 'def entry():\n    """Entry."""\n'})
    gh.store_token(gh.token)
    gh.api.rate_limit(path, times=1, retry_after=1, secondary=secondary)
    job = gh.run(url, timeout=30)
    assert job["attempt"] == 1, "a rate limit is waited out in place, not retried as a failure"
    calls = [c for c in gh.api.requests if c.path.startswith(path)]
    assert [c.status for c in calls] == [403, 200], [(c.path, c.status) for c in calls]
    assert calls[1].at - calls[0].at >= 0.9, "the job did not wait for Retry-After"
    assert any("rate limit" in (e["message"] or "").lower() for e in events_of(gh.stack, job["id"], token=gh.owner_token))


def test_a_secondary_limit_without_headers_waits_a_minute_and_cancel_still_works(gh: GitHub, tmp_path: Path) -> None:
    """A secondary limit may come as a bare 403 with GitHub's message: GitHub asks for at least a minute."""
    url = gh.repository(tmp_path, "limited-bare", {"core/api.py": 'def entry():\n    """Entry."""\n'})
    gh.store_token(gh.token)
    gh.api.rate_limit("/user", times=1, retry_after=None, secondary=True)
    repo_id = gh.stack.add_repository(url, token=gh.owner_token)
    r = gh.stack.api("POST", "/api/documentation/jobs", {"repository_id": repo_id}, token=gh.owner_token)
    assert r.status == 202, r.body
    job_id = r.body["id"]
    wait_until(lambda: any("waiting 60 s" in (e["message"] or "")
                           for e in events_of(gh.stack, job_id, token=gh.owner_token)), timeout=20)
    assert [c.status for c in gh.api.calls("/user")] == [403], "no request during the wait"
    assert gh.stack.api("DELETE", f"/api/documentation/jobs/{job_id}", token=gh.owner_token).status in (200, 202)
    job = gh.stack.poll_job(job_id, until=("cancelled",), timeout=10, token=gh.owner_token)
    assert job["status"] == "cancelled"


def test_a_github_server_error_is_retried(gh: GitHub, tmp_path: Path) -> None:
    url = gh.repository(tmp_path, "flaky", {"core/api.py": 'def entry():\n    """Entry."""\n'})
    gh.store_token(gh.token)
    gh.api.server_error("/user", times=1, status=500)
    job = gh.run(url, timeout=45)
    assert job["attempt"] == 2, job
    assert [c.status for c in gh.api.calls("/user")] == [500, 200]
    assert job["error_log"], "the failed attempt is in the job's error log"


def test_an_empty_private_repository_fails_with_the_seeds_message(gh: GitHub, tmp_path: Path) -> None:
    url = gh.repository(tmp_path, "nothing")
    gh.store_token(gh.token)
    job = gh.run(url, until=("failed",), timeout=30)
    assert job["error_message"] == EMPTY, job
    assert gh.git_requests("nothing") and all(r["auth_ok"] == 1 for r in gh.git_requests("nothing"))
