#!/usr/bin/env bash
# Start-up time of git-ml beside git's own (docs/BENCHMARKS.md, "Start-up"), with hyperfine (apt).
#
#   Benchmarks/startup/run.sh [BIN_DIR...]
#
# Each BIN_DIR holds a git-ml and git-mlcommit (default: the release builds of `make dist`, and the
# debug build for comparison). Measures `git --version`, `git-ml --version`, `git ml --version`
# (through git), and the pre-push hook on a push that changes nothing ML: the hook script alone
# (its fast path never starts git-ml) and `git ml hook pre-push` itself.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v hyperfine >/dev/null || { echo "install hyperfine (apt-get install hyperfine)" >&2; exit 2; }
if [ $# -eq 0 ]; then
  set -- "$root"/.build-dist/x86-64-v3/release "$root"/.build-dist/baseline/release "$root"/.build/debug
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/gitml-startup.XXXXXX")
trap 'rm -rf "$work"' EXIT

# A repository with a commit pushed to a bare remote, and a second commit that leaves ml/ alone.
git init -q -b main "$work/repo" && git init -q --bare "$work/origin.git"
cd "$work/repo"
git config user.name bench && git config user.email bench@example.com
echo a > a && git add a && git commit -q -m one && git remote add origin "$work/origin.git" && git push -q origin main
echo b > b && git add b && git commit -q -m two
updates="refs/heads/main $(git rev-parse HEAD) refs/heads/main $(git rev-parse HEAD~1)"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"

hyperfine -N --warmup 20 --runs 200 --export-markdown "$work/git.md" "git --version" >/dev/null
cat "$work/git.md"
for dir in "$@"; do
  [ -x "$dir/git-ml" ] || { echo "skipping $dir (no git-ml)"; continue; }
  echo "## $dir ($(ldd "$dir/git-ml" | grep -c '=>') shared libraries)"
  PATH=$dir:$PATH git ml init >/dev/null && PATH=$dir:$PATH git ml hooks install >/dev/null
  PATH=$dir:$PATH hyperfine -N --warmup 20 --runs 200 --export-markdown "$work/ml.md" \
    "$dir/git-ml --version" "git ml --version" >/dev/null
  cat "$work/ml.md"
  printf '%s\n' "$updates" > "$work/updates"
  PATH=$dir:$PATH hyperfine --warmup 10 --runs 100 --export-markdown "$work/hook.md" \
    ".git/hooks/pre-push origin $work/origin.git < $work/updates" \
    "$dir/git-ml hook pre-push origin $work/origin.git < $work/updates" >/dev/null
  cat "$work/hook.md"
done
