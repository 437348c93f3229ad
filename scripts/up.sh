#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to a running Kraken: installs the packages,
# builds, and starts `kraken up` (server on SQLite in ./kraken-data, local agents, demo
# project). Arguments go to `kraken up` (e.g. --port 8080 --agents 4).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build
scripts/build.sh kraken
exec build/src/cli/kraken up --ui-dir ui/dist "$@"
