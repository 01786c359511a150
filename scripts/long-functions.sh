#!/usr/bin/env bash
# Swift functions longer than a limit (default 60 lines), longest first: the candidates for splitting into
# named steps. Counts from the `func`/`init` line to its closing brace (braces in string literals ignored).
#
#   scripts/long-functions.sh [LIMIT]
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - "${1:-60}" <<'PY'
import glob, re, sys

limit = int(sys.argv[1])
head = re.compile(r"\s*(?:@\w+\s+)*(?:(?:public|private|fileprivate|internal|static|override|mutating|final)\s+)*(func|init)\b\s*([\w<>]*)")
found = []
for path in glob.glob("Sources/**/*.swift", recursive=True):
    if "/vendor/" in path:
        continue
    lines = open(path, encoding="utf-8").read().split("\n")
    for i, line in enumerate(lines):
        m = head.match(line)
        if not m:
            continue
        depth, started, j = 0, False, i
        while j < len(lines):
            text = re.sub(r'"(?:\\.|[^"\\])*"', "", lines[j])
            depth += text.count("{") - text.count("}")
            started = started or "{" in text
            if started and depth <= 0:
                break
            j += 1
        if j - i + 1 > limit:
            found.append((j - i + 1, path, i + 1, m.group(2) or m.group(1)))
for n, path, line, name in sorted(found, reverse=True):
    print(f"{n:5d}  {path}:{line}  {name}")
PY
