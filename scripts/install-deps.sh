#!/usr/bin/env bash
# Installs every Debian package Kraken needs: `build` for building and running it, `all`
# (the default) adds what the test suite uses (PostgreSQL, Podman, Go's reference Starlark,
# pytest, Chromium, clang's libFuzzer). Idempotent: packages already present are left as
# they are.
set -euo pipefail

build_pkgs=(
  build-essential cmake ninja-build pkg-config git openssh-client ca-certificates
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libpq-dev libspdlog-dev libfmt-dev libcli11-dev
  libsodium-dev libexpected-dev nlohmann-json3-dev libcurl4-openssl-dev
  libssl-dev libyaml-cpp-dev libpugixml-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
test_pkgs=(
  postgresql sqlite3 procps psmisc curl
  golang-go golang-starlark-dev
  python3 python3-pytest pylint cloc
  podman runc busybox-static debootstrap
  iproute2 util-linux
  chromium
  clang libclang-rt-14-dev clang-format
)
mode=${1:-all}
pkgs=("${build_pkgs[@]}")
[ "$mode" = all ] && pkgs+=("${test_pkgs[@]}")
# The web UI is built with Node.js and npm; Debian's are used only when none is installed.
command -v npm >/dev/null 2>&1 || pkgs+=(nodejs npm)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
