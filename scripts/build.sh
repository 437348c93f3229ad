#!/usr/bin/env bash
# Builds the `kraken` binary, its tests and benchmarks (optimised, into build/), and the web
# UI (ui/dist) from its lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DKRAKEN_WERROR="${KRAKEN_WERROR:-OFF}" >/dev/null
cmake --build build -j "$(nproc)"
(cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
