#!/usr/bin/env bash
# One command that installs what the tests need, builds, and runs the whole test suite
# through CTest: unit tests, the store contract suite on SQLite and a throw-away PostgreSQL,
# the Starlark differential corpus, Podman-backed driver tests, end-to-end tests with real
# server and agent processes, and the web UI in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh all
[ "${CI:-}" = true ] && export KRAKEN_WERROR=ON
scripts/build.sh
cd build
ctest --output-on-failure -j 2 --timeout 900 "$@"
