#!/usr/bin/env bash
# Start-up time of git-ml beside git's own (docs/BENCHMARKS.md, "Start-up"), with hyperfine (apt).
#
#   Benchmarks/startup/run.sh [BIN_DIR...]
#
# Each BIN_DIR holds a git-ml and git-mlcommit (default: the release builds of `make dist`, and the
# debug build for comparison). Measures, in a small repository with one dataset pinned:
# `git --version` and `git status` (the anchors), `git-ml --version`, `git ml --version` and
# `git ml version` (through git), `git ml --help` (git → man → the page scripts/manpages.py writes
# from this build, rendered to a pipe), `git ml data status` (a clean stat-cache check), the
# pre-push hook on a push that changes nothing ML (the hook script alone: its fast path never
# starts git-ml; and `git ml hook pre-push` itself), and `dvc --help` / `dvc status` when DVC is
# found ($DVC, or `dvc` on PATH).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v hyperfine >/dev/null || { echo "install hyperfine (apt-get install hyperfine)" >&2; exit 2; }
if [ $# -eq 0 ]; then
  set -- "$root"/.build-dist/x86-64-v3 "$root"/.build-dist/baseline "$root"/.build/debug
fi
dvc=${DVC:-$(command -v dvc || true)}
work=$(mktemp -d "${TMPDIR:-/tmp}/gitml-startup.XXXXXX")
trap 'rm -rf "$work"' EXIT
export MANPAGER=cat PAGER=cat
runs=(--warmup 10 --runs 100)

# A repository with a commit pushed to a bare remote, and a second commit that leaves ml/ alone.
git init -q -b main "$work/repo" && git init -q --bare "$work/origin.git"
cd "$work/repo"
git config user.name bench && git config user.email bench@example.com
echo a > a && git add a && git commit -q -m one && git remote add origin "$work/origin.git" && git push -q origin main
echo b > b && git add b && git commit -q -m two
updates="refs/heads/main $(git rev-parse HEAD) refs/heads/main $(git rev-parse HEAD~1)"
printf '%s\n' "$updates" > "$work/updates"
# The small dataset: 1,000 rows of a CSV.
{ echo "id,x,label"; for i in $(seq 1000); do echo "$i,$((i * 7 % 113)),$((i % 2))"; done; } > "$work/d.csv"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"

hyperfine -N "${runs[@]}" --export-markdown "$work/git.md" "git --version" "git status" >/dev/null
cat "$work/git.md"
if [ -n "$dvc" ]; then
  dvc_repo=$work/dvc-repo
  git init -q "$dvc_repo" && (cd "$dvc_repo" && "$dvc" init -q && "$dvc" config core.analytics false && cp "$work/d.csv" . && "$dvc" add -q d.csv)
  (cd "$dvc_repo" && hyperfine -N "${runs[@]}" --export-markdown "$work/dvc.md" "$dvc --help" "$dvc status" >/dev/null)
  echo "## DVC $("$dvc" --version)"
  cat "$work/dvc.md"
fi
for dir in "$@"; do
  [ -x "$dir/git-ml" ] || { echo "skipping $dir (no git-ml)"; continue; }
  dir=$(cd "$dir" && pwd)
  echo "## $dir ($(ldd "$dir/git-ml" | grep -c '=>') shared libraries)"
  rm -rf "$work/man" && python3 "$root/scripts/manpages.py" "$dir/git-ml" "$work/man/man1" >/dev/null
  export PATH=$dir:$PATH MANPATH=$work/man
  git ml init >/dev/null && git ml hooks install >/dev/null
  if [ ! -e d.csv ]; then
    cp "$work/d.csv" d.csv && git ml data add d.csv --name d --no-checks >/dev/null && git mlcommit -m "Add d" >/dev/null
  fi
  hyperfine -N "${runs[@]}" --export-markdown "$work/ml.md" \
    "$dir/git-ml --version" "git ml --version" "git ml version" "git ml --help" "git ml data status" >/dev/null
  cat "$work/ml.md"
  hyperfine "${runs[@]}" --export-markdown "$work/hook.md" \
    ".git/hooks/pre-push origin $work/origin.git < $work/updates" \
    "$dir/git-ml hook pre-push origin $work/origin.git < $work/updates" >/dev/null
  cat "$work/hook.md"
  PATH=${PATH#"$dir:"}
done
