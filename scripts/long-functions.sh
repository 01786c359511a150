#!/usr/bin/env bash
# Swift functions longer than a limit (default 60 lines), longest first: the candidates for splitting into
# named steps. Counts from the `func`/`init` line to its closing brace (braces in string literals ignored).
# A function that reads best long says why in a comment line starting `// Long:` among the comment and
# attribute lines directly above it; it is left out of the list, and counted with its reason below it.
#
#   scripts/long-functions.sh [--check] [LIMIT]
#
# --check: exit 1 when any function over the limit has no `// Long:` reason (default: list, exit 0).
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
limit=60
for arg in "$@"; do
    case "$arg" in
        --check) check=1 ;;
        -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *[!0-9]*|'') echo "usage: scripts/long-functions.sh [--check] [LIMIT]" >&2; exit 2 ;;
        *) limit=$arg ;;
    esac
done
python3 - "$limit" "$check" <<'PY'
import glob, re, sys

limit, check = int(sys.argv[1]), sys.argv[2] == "1"
head = re.compile(r"\s*(?:@\w+\s+)*(?:(?:public|private|fileprivate|internal|static|override|mutating|final)\s+)*(func|init)\b\s*([\w<>]*)")
marker = re.compile(r"\s*//\s*Long:\s*(.*)")


def reason(lines, i):
    """The `// Long:` reason among the comment and attribute lines directly above line i, or None."""
    j = i - 1
    while j >= 0:
        text = lines[j].strip()
        if not (text.startswith("//") or text.startswith("@")):
            return None
        m = marker.match(lines[j])
        if m:
            return m.group(1).strip() or "(no reason given)"
        j -= 1
    return None


found, explained = [], []
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
            entry = (j - i + 1, path, i + 1, m.group(2) or m.group(1))
            why = reason(lines, i)
            if why is None:
                found.append(entry)
            else:
                explained.append(entry + (why,))
for n, path, line, name in sorted(found, reverse=True):
    print(f"{n:5d}  {path}:{line}  {name}")
if explained:
    print(f"left out, long for a reason (// Long:): {len(explained)}")
    for n, path, line, name, why in sorted(explained, reverse=True):
        print(f"{n:5d}  {path}:{line}  {name}: {why}")
if check and found:
    print(f"{len(found)} function(s) over {limit} lines without a `// Long:` reason", file=sys.stderr)
    sys.exit(1)
PY
