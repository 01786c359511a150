#!/usr/bin/env bash
# Benchmarks the built-in documentation generator, like for like.
#
#   scripts/bench-docs.sh [DIR]          RUNS=3 by default (the median is reported)
#   SCRIBE_BIN_DIR=… scripts/bench-docs.sh   binaries already built (else `swift build -c release`); the
#                                        report names the configuration, taken from the folder's name
#   MANY_FILES=60000 scripts/bench-docs.sh   size of the generated many-files case (0 skips it)
#
# DIR defaults to a checkout of the latest tag of swift-crypto from the local package mirror
# (/opt/swift-packages/apple/swift-crypto.git: Swift plus the vendored BoringSSL C sources), else
# swift-nio-ssl, else this repository. In one run, on the same tree, it measures:
#   floor   reading every tracked file once: git ls-files -z | xargs -0 cat > /dev/null
#   anchor  the like-for-like anchor: the three tools Scribe runs, each alone over exactly the files
#           Scribe hands it (the lists Scribe writes when SCRIBE_TOOL_LISTS is set), one after the
#           other: ctags (Scribe's flags) + scribe-parse + scribe-swift-symbols. Scribe runs them side
#           by side on two cores, so it can beat the sum; the sum is what the analysis must read.
#   ctags -R  ctags over the whole tree, for reference (it also reads what Scribe never analyses)
#   scribe  scribe generate DIR --out OUT --json, release build, with its stages' seconds (parse,
#           comments and imports, module rules and resolution, pages, HTML, diagrams)
# Files/s and lines/s are over the files Scribe analysed (its summary's files and lines). The
# goal: scribe under 3x the anchor. Then a generated tree of MANY_FILES small files (Go, Python,
# C and JavaScript in 100 packages) gives scribe's wall time and peak memory (goal: under 300 MB).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd -P)
runs=${RUNS:-3}
mirror=/opt/swift-packages/apple

say() { printf 'bench-docs: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

[ -x /usr/bin/time ] || die "/usr/bin/time is missing (Debian package: time)"
command -v ctags >/dev/null || die "ctags is missing (Debian package: universal-ctags; scripts/install-deps.sh)"
command -v git >/dev/null || die "git is missing"

work=$(mktemp -d "${TMPDIR:-/tmp}/scribe-bench-docs.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- the tree -----------------------------------------------------------------------------------
if [ $# -ge 1 ]; then
    tree=$(cd "$1" && pwd -P)
    label=$(basename "$tree")
else
    tree=""
    for name in swift-crypto swift-nio-ssl; do
        [ -d "$mirror/$name.git" ] || continue
        tag=$(git -C "$mirror/$name.git" tag --sort=-v:refname | grep -E '^v?[0-9]+\.[0-9]+\.[0-9]+$' | head -1 || true)
        git clone -q "$mirror/$name.git" "$work/$name"
        [ -n "$tag" ] && git -C "$work/$name" -c advice.detachedHead=false checkout -q "$tag"
        tree=$work/$name
        label="$name ${tag:-(default branch)}"
        break
    done
    if [ -z "$tree" ]; then
        say "no mirror of swift-crypto or swift-nio-ssl under $mirror: benchmarking this repository"
        git clone -q "$root" "$work/scribe"
        tree=$work/scribe
        label="scribe $(git -C "$tree" rev-parse --short HEAD)"
    fi
fi
git -C "$tree" rev-parse --git-dir >/dev/null 2>&1 || die "$tree is not a git work tree (the floor reads git ls-files)"

# --- the binary ---------------------------------------------------------------------------------
if [ -n "${SCRIBE_BIN_DIR:-}" ]; then
    bin=$(cd "$SCRIBE_BIN_DIR" && pwd -P)
    say "using the binaries in $bin (SCRIBE_BIN_DIR); build them with -c release for figures that mean something"
else
    say "building the release binaries (swift build -c release)"
    "$root/scripts/fetch-grammars.sh"
    (cd "$root" && swift build -c release >"$work/build.log" 2>&1) || {
        tail -20 "$work/build.log" >&2
        die "swift build -c release failed"
    }
    bin=$(cd "$root" && swift build -c release --show-bin-path)
fi
scribe=$bin/scribe
[ -x "$scribe" ] && [ -x "$bin/scribe-swift-symbols" ] || die "$bin lacks scribe or scribe-swift-symbols"
# SwiftPM puts a configuration's binaries in a folder named after it (…/release, …/x86_64-unknown-linux-gnu/debug).
case "$(basename "$bin")" in
release) build="release build" ;;
debug) build="DEBUG build: not representative" ;;
*) build="build of unknown configuration" ;;
esac
build="$build ($bin)"
say "binaries: $build"

files=$(git -C "$tree" ls-files | wc -l)
lines=$(git -C "$tree" ls-files -z | (cd "$tree" && xargs -0 cat) | wc -l)
say "tree: $label, $files tracked files, $lines lines; $runs runs of each, interleaved"
# Warm the page cache so that no contender pays for the disk.
git -C "$tree" ls-files -z | (cd "$tree" && xargs -0 cat) >/dev/null

now() { date +%s.%N; }

# measure NAME CMD…: appends "seconds maxrss_kb" to $work/NAME
measure() {
    local name=$1
    shift
    local t0 t1
    t0=$(now)
    /usr/bin/time -f '%M' -o "$work/$name.rss" "$@" >"$work/$name.out" 2>"$work/$name.err" || {
        cat "$work/$name.err" >&2
        die "$name failed"
    }
    t1=$(now)
    echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }') $(tail -1 "$work/$name.rss")" >>"$work/$name"
}

lists=$work/lists
mkdir -p "$lists"
anchor() { # the tools alone over the lists of files Scribe handed them
    cd "$tree"
    if [ -s "$lists/ctags.list" ]; then
        tr '\0' '\n' <"$lists/ctags.list" | sed 's|^|./|' |
            ctags --options=NONE --output-format=json --fields=+nKSseaZlt --sort=no --extras=-F -f - -L - >/dev/null
    fi
    if [ -s "$lists/parse.list" ]; then "$bin/scribe-parse" --root "$tree" --files-from "$lists/parse.list" >/dev/null; fi
    if [ -s "$lists/swift.list" ]; then
        "$bin/scribe-swift-symbols" --root "$tree" --null --files-from "$lists/swift.list" >/dev/null
    fi
}
export -f anchor
export tree lists bin

for i in $(seq "$runs"); do
    measure floor sh -c 'cd "$1" && git ls-files -z | xargs -0 cat > /dev/null' sh "$tree"
    rm -rf "$work/out"
    SCRIBE_TOOL_LISTS=$lists measure scribe "$scribe" generate "$tree" --out "$work/out" --json
    measure anchor bash -c anchor
    (cd "$tree" && measure ctags ctags -R --output-format=json --fields=+n -f - .)
    say "run $i of $runs: floor $(tail -1 "$work/floor" | cut -d' ' -f1) s, anchor $(tail -1 "$work/anchor" | cut -d' ' -f1) s, ctags -R $(tail -1 "$work/ctags" | cut -d' ' -f1) s, scribe $(tail -1 "$work/scribe" | cut -d' ' -f1) s"
done
count() { [ -f "$1" ] && tr -cd '\0' <"$1" | wc -c || echo 0; }
counts="ctags $(count "$lists/ctags.list") files, scribe-parse $(count "$lists/parse.list"), scribe-swift-symbols $(count "$lists/swift.list")"

# --- many files ---------------------------------------------------------------------------------
many=${MANY_FILES:-60000}
if [ "$many" -gt 0 ]; then
    say "generating $many small files"
    python3 - "$work/many-tree" "$many" <<'EOF'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
kinds = [("go", "package {ext}\n\n// F{i} returns {i}.\nfunc F{i}() int {{ return {i} }}\n"),
         ("py", '"""Module {i}."""\n\n\ndef f{i}():\n    """Returns {i}."""\n    return {i}\n'),
         ("c", "/* Returns {i}. */\nint f{i}(void) {{ return {i}; }}\n"),
         ("js", "/** Returns {i}. */\nexport function f{i}() {{ return {i}; }}\n")]
for i in range(n):
    ext, text = kinds[(i // 100) % len(kinds)]
    folder = os.path.join(root, f"pkg{i % 100}", ext)
    os.makedirs(folder, exist_ok=True)
    if ext == "py" and not os.path.exists(os.path.join(folder, "__init__.py")):
        open(os.path.join(folder, "__init__.py"), "w").close()
    with open(os.path.join(folder, f"f{i}.{ext}"), "w") as f:
        f.write(text.format(i=i, ext=ext))
open(os.path.join(root, "go.mod"), "w").write("module example.com/many\n")
EOF
    (cd "$work/many-tree" && git init -q && git add -A && git -c user.email=bench@example.com -c user.name=bench commit -qm many)
    measure many "$scribe" generate "$work/many-tree" --out "$work/many-out" --json
fi

python3 - "$work" "$label" "$files" "$lines" "$counts" "$many" "$build" <<'EOF'
import json, statistics, sys
work, label, files, lines, counts, many, build = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], int(sys.argv[6]), sys.argv[7]
def runs(name):
    rows = [line.split() for line in open(f"{work}/{name}") if line.strip()]
    return [float(r[0]) for r in rows], [int(r[1]) for r in rows]
def summary_of(name):
    return json.loads(open(f"{work}/{name}.out").read().strip().splitlines()[-1])
summary = summary_of("scribe")
afiles, alines = summary["files"], summary["lines"]
print(f"binaries: {build}")
print(f"repository: {label}: {files:,} tracked files, {lines:,} lines")
print(f"scribe analysed {afiles:,} files, {alines:,} lines: {summary['symbols']:,} declarations, "
      f"{summary['modules']} modules, {summary['pages']} output files")
print(f"anchor = ctags + scribe-parse + scribe-swift-symbols, one after the other, each over the files Scribe hands it ({counts})")
print()
print(f"{'':<18}{'wall (median)':>14}{'min':>9}{'max':>9}{'files/s':>11}{'lines/s':>13}{'peak RSS':>11}")
medians = {}
for name, title in (("floor", "floor (cat)"), ("anchor", "anchor (tools)"), ("ctags", "ctags -R (ref.)"), ("scribe", "scribe generate")):
    walls, rss = runs(name)
    m = statistics.median(walls)
    medians[name] = m
    rate = f"{afiles / m:>11,.0f}{alines / m:>13,.0f}" if name in ("anchor", "scribe") else " " * 24
    print(f"{title:<18}{m:>12.3f} s{min(walls):>9.3f}{max(walls):>9.3f}{rate}{max(rss) / 1024:>8.0f} MiB")
print()
print("scribe stages (last run, s): " + ", ".join(f"{k} {v:.3f}" for k, v in summary.get("stages", {}).items()))
ratio = medians["scribe"] / medians["anchor"]
print(f"ratio scribe/anchor: {ratio:.2f} (goal < 3: {'met' if ratio < 3 else 'NOT met'}); "
      f"scribe/ctags -R: {medians['scribe'] / medians['ctags']:.2f}; scribe/floor: {medians['scribe'] / medians['floor']:.0f}x")
if many:
    walls, rss = runs("many")
    s = summary_of("many")
    peak_mb = max(rss) * 1024 / 1e6
    print(f"many files: {many:,} generated ({s['files']:,} analysed, {s['symbols']:,} declarations, {s['modules']} modules): "
          f"{walls[-1]:.2f} s, {s['files'] / walls[-1]:,.0f} files/s, peak RSS {peak_mb:.0f} MB "
          f"(goal < 300 MB: {'met' if peak_mb < 300 else 'NOT met'})")
    print("  stages (s): " + ", ".join(f"{k} {v:.3f}" for k, v in s.get("stages", {}).items()))
EOF
