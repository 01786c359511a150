#!/usr/bin/env bash
# Fetches the tree-sitter core and the language grammars that scribe-parse links, as source
# distributions of pinned versions checked against their sha256, and unpacks their C sources
# into Sources/CTreeSitter/vendor (gitignored: third-party code is fetched, never committed).
#
#   scripts/fetch-grammars.sh          fetch what is missing (nothing to do when the stamp matches)
#   scripts/fetch-grammars.sh --force  fetch again
#
# Needs python3 with pip (source distributions only: --no-binary, --no-deps). Some grammar
# releases ship incomplete sources (python 0.25.0 and c-sharp 0.23.5 have no external scanner;
# typescript and php lack the scanner header they share; sql 0.3.13 has no scanner.c
# for its dollar-quoted strings, so sql stays at 0.3.11): each pin is the newest release whose
# archive is complete. scripts/build-grammars.sh compiles what this leaves.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd -P)
vendor="$root/Sources/CTreeSitter/vendor"
cache="${SCRIBE_GRAMMAR_CACHE:-$root/.grammars-cache}"

# name version sha256. The core is 0.25 (it loads grammars of ABI 13 to 15); 0.23's sources give
# only the parser.h that grammars generated for ABI 14 were written against.
pins=(
    "tree-sitter 0.25.2 fe43c158555da46723b28b52e058ad444195afd1db3ca7720c59a254544e9c20"
    "tree-sitter 0.23.2 66bae8dd47f1fed7bdef816115146d3a41c39b5c482d7bad36d9ba1def088450"
    "tree-sitter-python 0.23.6 354bfa0a2f9217431764a631516f85173e9711af2c13dbd796a8815acfe505d9"
    "tree-sitter-javascript 0.25.0 329b5414874f0588a98f1c291f1b28138286617aa907746ffe55adfdcf963f38"
    "tree-sitter-go 0.25.0 a7466e9b8d94dda94cae8d91629f26edb2d26166fd454d4831c3bf6dfa2e8d68"
    "tree-sitter-c 0.24.2 1628584df0299b5a340aa63f8e67b6c97c91517f52fa7e7a4c557e40adb330a9"
    "tree-sitter-rust 0.24.2 54fb02a5911e345308b405174465112479f56dc39e3f1e7744d7568595f00db9"
    "tree-sitter-java 0.23.5 f5cd57b8f1270a7f0438878750d02ccc79421d45cca65ff284f1527e9ef02e38"
    "tree-sitter-ruby 0.23.1 886ed200bfd1f3ca7628bf1c9fefd42421bbdba70c627363abda67f662caa21e"
    "tree-sitter-c-sharp 0.23.1 322e2cfd3a547a840375276b2aea3335fa6458aeac082f6c60fec3f745c967eb"
    "tree-sitter-kotlin 1.1.0 322a35bdae75e25ae64dae6027be609c5422fab282084117816c4ebcda6168da"
    "tree-sitter-cpp 0.23.4 6a59c4cebb1ad1dc2e8d586cf8a72b39d21b8108b7b139d089719e81a339e41d"
    "tree-sitter-sql 0.3.11 700b93be2174c3c83d174ec3e10b682f72a4fb451f0076c7ce5012f1d5a76cbc"
)
stamp_text=$(printf '%s\n' "${pins[@]}")

force=0
[ "${1:-}" = --force ] && force=1
if [ "$force" = 0 ] && [ -f "$vendor/.stamp" ] && [ "$(cat "$vendor/.stamp")" = "$stamp_text" ]; then
    exit 0
fi

mkdir -p "$cache"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/scribe-grammars.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

archive_of() { # name version → path of the cached archive, downloading it when missing
    local name=$1 version=$2 file
    local candidates=("$cache/${name//-/_}-$version.tar.gz" "$cache/$name-$version.tar.gz")
    for file in "${candidates[@]}"; do [ -f "$file" ] && { echo "$file"; return; }; done
    python3 -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
        "$name==$version" -d "$cache" >&2
    for file in "${candidates[@]}"; do [ -f "$file" ] && { echo "$file"; return; }; done
    echo "fetch-grammars: $name $version: download failed" >&2
    return 1
}

rm -rf "$vendor.new"
mkdir -p "$vendor.new"
for pin in "${pins[@]}"; do
    read -r name version sum <<<"$pin"
    file=$(archive_of "$name" "$version")
    echo "$sum  $file" | sha256sum --check --quiet - || {
        echo "fetch-grammars: $name $version: sha256 mismatch" >&2
        exit 1
    }
    tar xzf "$file" -C "$tmp"
    dir=$(basename "$file" .tar.gz)
    if [ "$name" = tree-sitter ]; then
        lib="$tmp/$dir/tree_sitter/core/lib"
        abi=15
        [ "$version" = 0.23.2 ] && abi=14
        mkdir -p "$tmp/abi$abi/tree_sitter"
        cp "$lib/src/parser.h" "$lib/src/alloc.h" "$lib/src/array.h" "$tmp/abi$abi/tree_sitter/"
        if [ "$abi" = 15 ]; then
            mkdir -p "$vendor.new/core"
            cp -r "$lib/src/." "$lib/include" "$vendor.new/core/"
        fi
        continue
    fi
    short=${name#tree-sitter-}
    short=${short//-/_}
    mkdir -p "$vendor.new/$short"
    cp "$tmp/$dir/src/parser.c" "$vendor.new/$short/"
    [ -f "$tmp/$dir/src/scanner.c" ] && cp "$tmp/$dir/src/scanner.c" "$vendor.new/$short/"
    # Each grammar beside the parser.h of the ABI it was generated for (its own when it ships one):
    # `#include "tree_sitter/parser.h"` finds it next to the including file.
    if [ -d "$tmp/$dir/src/tree_sitter" ]; then
        cp -r "$tmp/$dir/src/tree_sitter" "$vendor.new/$short/"
    else
        abi=$(sed -n 's/^#define LANGUAGE_VERSION \([0-9]*\).*/\1/p' "$vendor.new/$short/parser.c")
        cp -r "$tmp/abi$abi/tree_sitter" "$vendor.new/$short/"
    fi
done
echo "$stamp_text" >"$vendor.new/.stamp"
rm -rf "$vendor"
mv "$vendor.new" "$vendor"
echo "fetch-grammars: grammars in ${vendor#"$root"/}"
