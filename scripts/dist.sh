#!/usr/bin/env bash
# Builds the release tarball dist/gitml-<version>-linux-<arch>.tar.gz (`make dist`; docs/INSTALL.md):
# git-ml linked with the Swift runtime and Foundation static (on x86-64 twice: an x86-64-v3 build
# and a baseline build), each with git-mlcommit as a relative link to it (the binary is
# `git mlcommit` when started under that name), man pages, bash/zsh/fish completions, the hook
# scripts and templates, LIBRARIES (what the binaries still load), SHA256SUMS and install.sh.
#
#   scripts/dist.sh [--out DIR] [--bin-dir DIR]
#
# --bin-dir packages the git-ml already built in DIR as the only build instead of building (the
# tests use it with the debug build).
set -euo pipefail
shopt -s inherit_errexit   # a failed build inside $(build ...) stops the script

root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/dist
bin_dir=
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --bin-dir) bin_dir=$(cd "$2" && pwd); shift 2 ;;
    *) echo "usage: scripts/dist.sh [--out DIR] [--bin-dir DIR]" >&2; exit 2 ;;
  esac
done
arch=$(uname -m)
GITML_COMMIT=$(git -C "$root" rev-parse HEAD 2>/dev/null || true)
export GITML_COMMIT

# $1: build name (x86-64-v3 or baseline); $2: GITML_BUILD for Package.swift.
# Copies git-ml to .build-dist/<name>/ and prints that folder. All builds share one scratch
# folder: the dependencies (swift-crypto above all) compile once, and only GitML's own targets,
# whose flags GITML_BUILD changes, compile again for the next build.
build() {
  local scratch=$root/.build-dist/scratch built=$root/.build-dist/$1
  local binary
  binary=$(GITML_BUILD=$2 "$root/scripts/build-release.sh" "$scratch")
  rm -rf "$built" && mkdir -p "$built"
  cp "$binary" "$built/"
  ln -s git-ml "$built/git-mlcommit"   # as in the tarball: Benchmarks/startup/run.sh times both names
  # The baseline build must be one (a stale manifest would give it the x86-64-v3 flags).
  if [ "$1" = baseline ]; then
    local reported
    reported=$("$built/git-ml" version | grep '^build:')
    case $reported in "build: baseline,"*) ;; *) echo "dist.sh: the baseline build reports '$reported'" >&2; exit 1 ;; esac
  fi
  echo "$built"
}

builds=()   # "<name>:<folder>"
if [ -n "$bin_dir" ]; then
  builds=("$arch:$bin_dir")
elif [ "$arch" = x86_64 ]; then
  # One assignment each, so that a failed build stops the script (set -e).
  baseline=$(build baseline baseline)
  v3=$(build x86-64-v3 x86-64-v3)
  builds=("x86-64-v3:$v3" "baseline:$baseline")
else
  echo "dist.sh: releases are built for x86-64 only: GitML is not yet built or tested on $arch (docs/INSTALL.md, \"Platforms\")" >&2
  exit 1
fi

# The last build runs on any CPU of the architecture: it writes the pages and completions.
runnable=${builds[-1]#*:}
version=$("$runnable/git-ml" --version)
name=gitml-$version-linux-$arch
stage_parent=$(mktemp -d "${TMPDIR:-/tmp}/gitml-dist.XXXXXX")
trap 'rm -rf "$stage_parent"' EXIT
stage=$stage_parent/$name
mkdir -p "$stage/share/gitml" "$stage/share/bash-completion/completions" "$stage/share/zsh/site-functions" \
  "$stage/share/fish/vendor_completions.d"

# One binary per build; git-mlcommit is a relative link to it (install.sh makes the same link).
for entry in "${builds[@]}"; do
  mkdir -p "$stage/builds/${entry%%:*}"
  cp "${entry#*:}/git-ml" "$stage/builds/${entry%%:*}/"
  strip "$stage/builds/${entry%%:*}/git-ml" 2>/dev/null || true
  ln -s git-ml "$stage/builds/${entry%%:*}/git-mlcommit"
done
# The pages and completions come from the staged last build, git-mlcommit's through the link.
shipped=$stage/builds/${builds[-1]%%:*}
python3 "$root/scripts/manpages.py" "$shipped/git-ml" "$stage/share/man/man1" >&2
python3 "$root/scripts/manpages.py" "$shipped/git-mlcommit" "$stage/share/man/man1" >&2
for tool in git-ml git-mlcommit; do
  "$shipped/$tool" --generate-completion-script bash > "$stage/share/bash-completion/completions/$tool"
  "$shipped/$tool" --generate-completion-script zsh > "$stage/share/zsh/site-functions/_$tool"
  "$shipped/$tool" --generate-completion-script fish > "$stage/share/fish/vendor_completions.d/$tool.fish"
done
# bash: `git ml <TAB>` and `git mlcommit <TAB>` (git's completion calls _git_<command>).
for tool in git-ml git-mlcommit; do cat "$root/scripts/git-completion-bridge.bash" >> "$stage/share/bash-completion/completions/$tool"; done
cp -R "$root/hooks" "$root/templates" "$stage/share/gitml/"
cp "$root/scripts/dist-install.sh" "$stage/install.sh"
{
  echo "# Shared libraries git-ml loads (ldd of the ${builds[-1]%%:*} build); install.sh needs none of Swift."
  ldd "$stage/builds/${builds[-1]%%:*}/git-ml" | awk '$1 !~ /^(linux-vdso|\/lib64\/ld-linux)/ { print $1 }' | sort
  echo "# Opened on the first command that reads a repository (Sources/CLazyLibraries), with what it loads:"
  echo "libgit2.so.1.5"
  echo "# Opened on the first HTTP request (S3 blob remotes, AWS credentials), with what it loads:"
  echo "libcurl.so.4"
  echo "# Opened on the first read of a Snappy-compressed Parquet page, a gzip text, a bzip2 text:"
  echo "libsnappy.so.1"
  echo "libisal.so.2"
  echo "libbz2.so.1.0"
} > "$stage/LIBRARIES"
# The links are listed too (sha256sum reads through them: a link turned elsewhere fails the check).
(cd "$stage" && find . \( -type f -o -type l \) ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum > SHA256SUMS)

mkdir -p "$out"
tar -C "$stage_parent" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - "$name" | gzip -n -9 > "$out/$name.tar.gz"
(cd "$out" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
echo "$out/$name.tar.gz"
