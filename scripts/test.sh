#!/usr/bin/env bash
# One command that installs what the tests need, builds, and runs the whole test suite
# through CTest: unit tests, the store contract suite on SQLite and a throw-away PostgreSQL,
# the Starlark differential corpus, Podman-backed driver tests, end-to-end tests with real
# server and agent processes, the web UI in headless Chromium, and the libFuzzer targets for
# a bounded time each (KRAKEN_FUZZ_SECONDS, default 30).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh all
[ "${CI:-}" = true ] && export KRAKEN_WERROR=ON
scripts/build.sh
status=0
(cd build && ctest --output-on-failure -j 2 --timeout 900 "$@") || status=$?
# The libFuzzer targets, in their own clang build (docs/fuzzing.md).
scripts/fuzz.sh || status=$?
exit $status
