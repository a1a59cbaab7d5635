#!/usr/bin/env bash
# Clean status at scale: `git ml data status` of one directory dataset of N files beside
# `git status` of the same files committed to git (issue 21: "≤ 1.0× git status, and at
# 1,000,000 files").
#
#   Benchmarks/store/status-scale.sh [N] [RUNS]     (default 1,000,000 files, 5 runs)
#
# The files are tiny (one CSV line each, 100 per folder) so that a million fit on any disk;
# status reads none of them when they are untouched, so their size does not matter. Both
# repositories get hard links to the same files. Each tool's first status (which builds git's
# index stat data and GitML's clean snapshot) is not counted; the tree is left 3 s first so
# that no file is racily clean. Prints wall, user+sys CPU and (when `perf` works)
# instructions:u, median of RUNS, and peak RSS. GITML: the git-ml binary (default
# .build/release/git-ml). WORK: scratch folder (default a temporary one, removed after).
# QUIET=1: each timed run first waits until the 1-minute load is below 1 (a verdict needs it).
set -euo pipefail
N=${1:-1000000}
RUNS=${2:-5}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GITML=${GITML:-$ROOT/.build/release/git-ml}
[ -x "$GITML" ] || { echo "no git-ml at $GITML (swift build -c release --product git-ml)" >&2; exit 2; }
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/gitml-status-scale.XXXXXX")}
[ -n "${KEEP:-}" ] && echo "keeping $WORK" >&2 || trap 'rm -rf "$WORK"' EXIT
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid GIT_COMMITTER_NAME=bench \
  GIT_COMMITTER_EMAIL=bench@example.invalid GIT_CONFIG_NOSYSTEM=1

python3 - "$WORK/files" "$N" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    if i % 100 == 0:
        folder = os.path.join(root, f"part{i // 100:05d}")
        os.makedirs(folder)
    with open(os.path.join(folder, f"row{i:07d}.csv"), "w") as f:
        f.write(f"{i},{i * 7919 % 1000003},{(i * 31) % 97}\n")
PY

measure() {  # $1 label, $2 repo, $3.. command: prints one table row
  local label=$1 repo=$2; shift 2
  local walls=() cpus=() insns=() rss=0
  for _ in $(seq "$RUNS"); do
    local t0 t1 out
    while [ "${QUIET:-0}" = 1 ] && awk '{exit !($1 >= 1)}' /proc/loadavg; do sleep 2; done
    t0=$(date +%s.%N)
    out=$(cd "$repo" && /usr/bin/time -f "%U %S %M" "$@" 2>&1 >/dev/null | tail -1)
    t1=$(date +%s.%N)
    walls+=("$(echo "$t1 - $t0" | bc)")
    cpus+=("$(echo "$out" | awk '{print $1 + $2}')")
    rss=$(echo "$out" | awk '{print $3}')
    if perf stat -x, -e instructions:u true 2>&1 >/dev/null | grep -q '^[0-9]'; then  # counters exist (not in most VMs)
      insns+=("$(cd "$repo" && perf stat -x, -e instructions:u "$@" 2>&1 >/dev/null | awk -F, '/instructions/ {print $1}')")
    fi
  done
  median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
  printf '| %s | %.3f s | %.3f s | %s | %d MiB |\n' "$label" "$(median "${walls[@]}")" "$(median "${cpus[@]}")" \
    "$([ ${#insns[@]} -gt 0 ] && printf '%.0f M' "$(echo "$(median "${insns[@]}") / 1000000" | bc -l)" || echo -)" $((rss / 1024))
}

mkdir -p "$WORK/gitml" "$WORK/git"
(cd "$WORK/gitml" && git init -q -b main && git commit -q --allow-empty -m init && "$GITML" init >/dev/null && cp -al "$WORK/files" many)
(cd "$WORK/git" && git init -q -b main && git config gc.auto 0 && cp -al "$WORK/files" many)
sleep 3
t0=$(date +%s.%N); (cd "$WORK/gitml" && "$GITML" data add many --name many >/dev/null); t1=$(date +%s.%N)
t2=$(date +%s.%N); (cd "$WORK/git" && git add many && git commit -q -m many); t3=$(date +%s.%N)
sleep 3
(cd "$WORK/gitml" && "$GITML" data status >/dev/null)
(cd "$WORK/git" && git status >/dev/null)
echo "Clean status of $N tracked files ($RUNS runs, median; load $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "| command | wall | user+sys CPU | instructions:u | peak RSS |"
echo "|---|---|---|---|---|"
measure '`git ml data status`' "$WORK/gitml" "$GITML" data status
measure '`git status`' "$WORK/git" git status
printf '\nsetup: `git ml data add` %.1f s, `git add` + commit %.1f s\n' "$(echo "$t1 - $t0" | bc)" "$(echo "$t3 - $t2" | bc)"
