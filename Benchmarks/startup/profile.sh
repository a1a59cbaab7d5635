#!/usr/bin/env bash
# Where `git-ml --version`'s start-up goes, in figures that do not depend on the machine's load
# (docs/BENCHMARKS.md, "Start-up"): shared libraries loaded, the dynamic loader's relocations,
# page faults, system calls, and instructions executed (valgrind's callgrind, apt `valgrind`):
# in all, in the dynamic loader (mapping and relocating, `_dl_start`), in the libraries'
# initialisers (`_dl_init`) and in GitML's `main` (argument parsing and the command; the rest is
# the binary's own initialisers and exit).
#
#   Benchmarks/startup/profile.sh [GIT_ML...]
#
# Default: the release builds of `make dist` (.build-dist/*/git-ml). Prints a Markdown table.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v valgrind >/dev/null || { echo "install valgrind (apt-get install valgrind)" >&2; exit 2; }
[ $# -gt 0 ] || set -- "$root"/.build-dist/*/git-ml
work=$(mktemp -d "${TMPDIR:-/tmp}/gitml-startup-profile.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Inclusive instructions of the first function named $2 in callgrind_annotate's output $1 (0 if absent).
inclusive() { awk -v f="$2" '$0 ~ ("[ :]" f "( |$|\\()") { gsub(",", "", $1); print $1; exit }' "$1" | grep . || echo 0; }
millions() { awk -v n="$1" 'BEGIN { printf "%.1f", n / 1e6 }'; }

echo "| binary | size (MiB) | libraries | symbol relocations | relative relocations | page faults | system calls | instructions (M) | loader (M) | library initialisers (M) | main (M) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for binary in "$@"; do
  size=$(awk -v b="$(stat -L -c %s "$binary")" 'BEGIN { printf "%.1f", b / 1048576 }')
  libraries=$(ldd "$binary" | grep -c '=>' || true)
  LD_DEBUG=statistics "$binary" --version 2> "$work/ld" >/dev/null
  symbols=$(awk '/final number of relocations:/ { print $NF }' "$work/ld")
  relative=$(awk '/number of relative relocations:/ { print $NF }' "$work/ld")
  faults=$(/usr/bin/time -f %R "$binary" --version 2>&1 >/dev/null | tail -n 1)
  calls=$(strace -f -c "$binary" --version 2>&1 >/dev/null | awk '$NF == "total" { print $(NF - 2) }')
  # valgrind 3.19 cannot read the release's DWARF: it runs a copy without it (same code and symbols).
  strip --strip-debug -o "$work/git-ml" "$binary"
  valgrind --tool=callgrind --callgrind-out-file="$work/cg" "$work/git-ml" --version >/dev/null 2>&1
  callgrind_annotate --inclusive=yes --threshold=100 "$work/cg" > "$work/annotated" 2>/dev/null
  total=$(awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }' "$work/annotated")
  loader=$(inclusive "$work/annotated" _dl_start)
  initialisers=$(inclusive "$work/annotated" _dl_init)
  main=$(inclusive "$work/annotated" git_ml_main)
  echo "| $binary | $size | $libraries | $symbols | $relative | $faults | $calls | $(millions "$total") | $(millions "$loader") | $(millions "$initialisers") | $(millions "$main") |"
done
