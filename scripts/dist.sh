#!/usr/bin/env bash
# `make dist`: a tarball to install Scribe on a host without Swift.
#
#   scripts/dist.sh            → dist/scribe-VERSION-linux-ARCH.tar.gz
#
# Release binaries built with --static-swift-stdlib (the Swift runtime and Foundation inside
# each binary), deploy/bin/scribe-env beside them, static/, deploy/ and the operations guide.
# The host still needs the C libraries (libfcgi, libpq, libcurl, libssl, libcmark-gfm), git,
# universal-ctags and Graphviz: docs/OPERATIONS.md lists the apt-get line.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$root"

version=$(sed -n 's/.*static let string = "\(.*\)".*/\1/p' Sources/ScribeCore/Version.swift)
[ -n "$version" ] || { echo "dist: no version in Sources/ScribeCore/Version.swift" >&2; exit 1; }
flags=(-c release --static-swift-stdlib)

echo "dist: building release $version (several minutes from clean)"
swift build "${flags[@]}"
bin=$(swift build "${flags[@]}" --show-bin-path)

name=scribe-$version
stage=dist/$name
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/share/doc"
for exe in scribe scribe-fcgi scribe-worker scribe-swift-symbols; do
    cp "$bin/$exe" "$stage/bin/"
    if ldd "$stage/bin/$exe" | grep -q 'libswift\|libFoundation'; then
        echo "dist: $exe still needs the Swift runtime:" >&2
        ldd "$stage/bin/$exe" | grep 'libswift\|libFoundation' >&2
        exit 1
    fi
    got=$("$stage/bin/$exe" --version)
    [ "$got" = "$exe $version" ] || { echo "dist: $exe --version says '$got'" >&2; exit 1; }
done
cp deploy/bin/scribe-env "$stage/bin/"
cp -R static deploy "$stage/"
cp README.md docs/OPERATIONS.md docs/ARCHITECTURE.md docs/openapi.yaml "$stage/share/doc/"

tarball=dist/$name-linux-$(uname -m).tar.gz
tar -C dist -czf "$tarball" "$name"
echo "dist: $tarball ($(du -h "$tarball" | cut -f1))"
