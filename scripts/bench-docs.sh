#!/usr/bin/env bash
# Benchmarks the built-in documentation generator on a large multi-language repository.
#
#   scripts/bench-docs.sh [DIR]          RUNS=3 by default (the median is reported)
#   SCRIBE_BIN_DIR=… scripts/bench-docs.sh   binaries already built (else `swift build -c release`)
#
# DIR defaults to a checkout of the latest tag of swift-crypto from the local package mirror
# (/opt/swift-packages/apple/swift-crypto.git: Swift plus the vendored BoringSSL C sources), else
# swift-nio-ssl, else this repository. In one run, on the same tree, it measures:
#   floor   reading every tracked file once: git ls-files -z | xargs -0 cat > /dev/null
#   anchor  ctags -R --output-format=json --fields=+n (symbols only: the least the analysis does)
#   scribe  scribe generate DIR --out OUT --json, release build (analysis, pages, HTML, SVG)
# and prints wall time, files/s and lines/s (tracked files and their lines), peak memory (the
# largest process's maximum resident set, from /usr/bin/time -v) and the ratio scribe/ctags,
# whose goal is under 1.5.
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
    bin=$SCRIBE_BIN_DIR
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

for i in $(seq "$runs"); do
    measure floor sh -c 'cd "$1" && git ls-files -z | xargs -0 cat > /dev/null' sh "$tree"
    (cd "$tree" && measure ctags ctags -R --output-format=json --fields=+n -f - .)
    rm -rf "$work/out"
    measure scribe "$scribe" generate "$tree" --out "$work/out" --json
    say "run $i of $runs: floor $(tail -1 "$work/floor" | cut -d' ' -f1) s, ctags $(tail -1 "$work/ctags" | cut -d' ' -f1) s, scribe $(tail -1 "$work/scribe" | cut -d' ' -f1) s"
done
tags=$(cd "$tree" && ctags -R --output-format=json --fields=+n -f - . | grep -c '"_type": "tag"' || true)

python3 - "$work" "$label" "$files" "$lines" "$tags" <<'EOF'
import json, statistics, sys
work, label, files, lines, tags = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
def runs(name):
    rows = [line.split() for line in open(f"{work}/{name}") if line.strip()]
    return [float(r[0]) for r in rows], [int(r[1]) for r in rows]
summary = json.loads(open(f"{work}/scribe.out").read().strip().splitlines()[-1])
print(f"repository: {label}: {files:,} tracked files, {lines:,} lines")
print(f"scribe: {summary['files']:,} files analysed, {summary['lines']:,} lines, {summary['symbols']:,} declarations, "
      f"{summary['modules']} modules, {summary['pages']} output files; ctags: {tags:,} tags")
print()
print(f"{'':<18}{'wall (median)':>14}{'min':>9}{'max':>9}{'files/s':>11}{'lines/s':>13}{'peak RSS':>11}")
medians = {}
for name, title in (("floor", "floor (cat)"), ("ctags", "ctags -R"), ("scribe", "scribe generate")):
    walls, rss = runs(name)
    m = statistics.median(walls)
    medians[name] = m
    print(f"{title:<18}{m:>12.3f} s{min(walls):>9.3f}{max(walls):>9.3f}{files / m:>11,.0f}{lines / m:>13,.0f}"
          f"{max(rss) / 1024:>8.0f} MiB")
ratio = medians["scribe"] / medians["ctags"]
print()
print(f"ratio scribe/ctags: {ratio:.2f} (goal < 1.5: {'met' if ratio < 1.5 else 'NOT met'}); "
      f"scribe/floor: {medians['scribe'] / medians['floor']:.0f}x")
EOF
