#!/usr/bin/env bash
# Builds the release git-ml the way every installed binary is built (`make release` for
# `make install`, and each build of `make dist`) and prints its path:
# - the Swift runtime and Foundation linked statically (--static-swift-stdlib);
# - a position-dependent executable (-no-pie): its 101,822 relative relocations, which the loader
#   applied at every start by dirtying ~300 pages, are resolved at link time, so
#   `git-ml --version` starts in ~4 ms instead of ~5.6 ms (docs/BENCHMARKS.md, "Start-up"; the
#   trade-off — no address randomisation for the binary's own image — in docs/INSTALL.md);
# - libgit2 and libcurl opened on first use (scripts/lazy-link.sh).
#
#   scripts/build-release.sh [SCRATCH_PATH]     (default .build)
#
# GITML_BUILD (Package.swift) chooses the instruction set; SWIFT names the swift to run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=${1:-$root/.build}
(cd "$root" && "${SWIFT:-swift}" build -c release --static-swift-stdlib -Xlinker -no-pie --scratch-path "$scratch" \
  --product git-ml >&2)
"$root/scripts/lazy-link.sh" "$scratch/release/git-ml"
echo "$scratch/release/git-ml"
