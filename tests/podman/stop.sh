#!/usr/bin/env bash
# Stops the service started by start.sh (only the pid it recorded). Usage: stop.sh STATE_DIR.
# Storage is kept, so the next start reuses the test image.
set -uo pipefail
state=$1
[ -d "$state" ] && state=$(cd "$state" && pwd)
# The short link to its runtime state (podman_env.sh) goes once the service is gone.
link=/tmp/kraken-podman-$(printf '%s' "$state" | sha256sum | cut -c1-12)
if [ ! -f "$state/pid" ]; then
  rm -f "$link"
  exit 0
fi
pid=$(cat "$state/pid")
if kill -0 "$pid" 2>/dev/null; then
  kill -TERM "$pid"
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
fi
rm -f "$state/pid" "$state/podman.sock" "$link"
exit 0
