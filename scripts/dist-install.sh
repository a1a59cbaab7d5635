#!/bin/sh
# GitML release installer (shipped as install.sh in gitml-<version>-linux-<arch>.tar.gz).
# Installs git-ml and git-mlcommit (a link to git-ml), their man pages, bash/zsh/fish completions,
# the hook scripts and the templates. No root needed: the default prefix is ~/.local for a user,
# /usr/local for root.
#
#   ./install.sh [--prefix DIR] [--build x86-64-v3|baseline]
#
# On x86-64 the release holds two builds: x86-64-v3 (AVX2 and FMA kernels) for CPUs that have
# them, baseline for any other; the CPU's flags choose unless --build does.
set -eu

usage() { sed -n '2,10s/^# \{0,1\}//p' "$0"; }
fail() { echo "install.sh: $*" >&2; exit 1; }

if [ "$(id -u)" = 0 ]; then prefix=/usr/local; else prefix=${HOME:?}/.local; fi
build=
while [ $# -gt 0 ]; do
  case $1 in
    --prefix) [ $# -ge 2 ] || fail "--prefix needs a folder"; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#*=}; shift ;;
    --build) [ $# -ge 2 ] || fail "--build needs x86-64-v3 or baseline"; build=$2; shift 2 ;;
    --build=*) build=${1#*=}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
case $prefix in /*) ;; *) prefix=$(pwd)/$prefix ;; esac
# Releases are built and tested for x86-64 Linux only (docs/INSTALL.md, "Platforms").
machine=$(uname -m)
[ "$machine" = x86_64 ] || fail "GitML is not yet supported on $machine: releases are built and tested for x86-64 Linux only" \
  "(docs/INSTALL.md, \"Platforms\"); nothing was installed"
cd "$(dirname "$0")"

if command -v sha256sum >/dev/null 2>&1; then
  sha256sum --quiet -c SHA256SUMS || fail "files differ from SHA256SUMS: download the release again"
else
  echo "install.sh: sha256sum not found; the files' checksums were not verified" >&2
fi

# The CPU's flags choose the build: x86-64-v3 needs every one of them.
if [ -z "$build" ]; then
  if [ -d builds/x86-64-v3 ]; then
    build=x86-64-v3
    flags=" $(grep -m 1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2) "
    for flag in avx avx2 fma bmi1 bmi2 f16c movbe abm xsave; do
      case $flags in *" $flag "*) ;; *) build=baseline ;; esac
    done
  else
    build=$(ls builds | head -n 1)
  fi
fi
[ -x "builds/$build/git-ml" ] || fail "no build '$build' in this release (builds: $(ls builds | tr '\n' ' '))"

install -d "$prefix/bin" "$prefix/share/man/man1" "$prefix/share/bash-completion/completions" \
  "$prefix/share/zsh/site-functions" "$prefix/share/fish/vendor_completions.d" "$prefix/share/gitml"
install -m 0755 "builds/$build/git-ml" "$prefix/bin/"
# One binary: git-mlcommit is a relative link to git-ml, which is `git mlcommit` under that name.
rm -f "$prefix/bin/git-mlcommit"
ln -s git-ml "$prefix/bin/git-mlcommit"
install -m 0644 share/man/man1/*.1 "$prefix/share/man/man1/"
install -m 0644 share/bash-completion/completions/* "$prefix/share/bash-completion/completions/"
install -m 0644 share/zsh/site-functions/* "$prefix/share/zsh/site-functions/"
install -m 0644 share/fish/vendor_completions.d/* "$prefix/share/fish/vendor_completions.d/"
rm -rf "$prefix/share/gitml/hooks" "$prefix/share/gitml/templates"
cp -R share/gitml/hooks share/gitml/templates "$prefix/share/gitml/"

"$prefix/bin/git-ml" --version >/dev/null || fail "the installed $prefix/bin/git-ml does not run (see LIBRARIES for what it needs)"
echo "installed GitML $("$prefix/bin/git-ml" --version) ($build build) in $prefix"
case ":${PATH:-}:" in
  *":$prefix/bin:"*) ;;
  *) echo "add $prefix/bin to PATH, e.g. in ~/.profile: export PATH=\"$prefix/bin:\$PATH\"" ;;
esac
