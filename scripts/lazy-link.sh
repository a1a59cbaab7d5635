#!/usr/bin/env bash
# Removes libcurl, libgit2 and the codec libraries (libsnappy, libisal, libbz2) from the libraries
# a built git-ml needs at start-up (its DT_NEEDED entries), in place: they are opened on first use
# instead (Sources/CLazyLibraries), so `git-ml --version`, `--help` and every command that reads
# no repository, no compressed table and sends no HTTP request load none of them, nor the
# libraries only libcurl and libgit2 need (docs/INSTALL.md, "What the binaries still load"). `make release` (for `make install`) and `make dist` run it on the release.
#
#   scripts/lazy-link.sh BINARY
#
# Refuses a binary that still calls one of their functions directly (one that
# Sources/CLazyLibraries does not define yet). A library the binary does not need is skipped.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: scripts/lazy-link.sh BINARY" >&2; exit 2; }
binary=$1
root=$(cd "$(dirname "$0")/.." && pwd)

# "<symbol prefix> <library name prefix> <source file that forwards them>"
for library in "curl_ libcurl.so Curl.c" "git_ libgit2.so Git2.c" "snappy_ libsnappy.so Snappy.c" \
               "isal_ libisal.so Isal.c" "BZ2_ libbz2.so Bzip2.c"; do
  read -r prefix name source <<< "$library"
  undefined=$(nm -D --undefined-only "$binary" | awk -v p="$prefix" 'index($NF, p) == 1 { print $NF }' | tr '\n' ' ')
  if [ -n "$undefined" ]; then
    echo "lazy-link.sh: $binary still calls ${name%.so} directly: $undefined(add them to Sources/CLazyLibraries/$source)" >&2
    exit 1
  fi
  for needed in $(readelf -d "$binary" | sed -n "s/.*(NEEDED).*\[\($name[^]]*\)\]/\1/p"); do
    python3 "$root/scripts/drop-needed.py" "$binary" "$needed"
  done
done
