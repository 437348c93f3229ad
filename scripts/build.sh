#!/usr/bin/env bash
# Builds Kraken (optimised, into build/) and the web UI (ui/dist) from its lockfile.
# With no argument: everything, tests and benchmarks included (the test command's build);
# with target names (e.g. `kraken`): only those and what they need (the set-up's build).
set -euo pipefail
cd "$(dirname "$0")/.."
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DKRAKEN_WERROR="${KRAKEN_WERROR:-OFF}" \
  "${launcher[@]}" >/dev/null
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build build -j "$(nproc)" "${targets[@]}"
(cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
