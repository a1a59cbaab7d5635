#!/usr/bin/env bash
# Installs the system packages GitML builds, tests and benchmarks with (Debian/Ubuntu).
# Idempotent: does nothing when everything is already there.
# With --test, also the packages the test suite needs (chromium renders the HTML review report).
# libcurl4-openssl-dev: `make dist` links Foundation statically, and its FoundationNetworking needs -lcurl.
set -euo pipefail
packages=(libgit2-dev libzstd-dev libsnappy-dev zlib1g-dev libbz2-dev libisal-dev libcurl4-openssl-dev pkg-config git zstd python3 python3-venv openssh-client)
if [ "${1:-}" = "--test" ]; then packages+=(chromium man-db); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "swift is not on PATH: install Swift 6 from swift.org first" >&2; exit 1; }
