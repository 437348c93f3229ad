#!/usr/bin/env bash
# Starts a private Podman Docker-compatible API service for the tests.
# Usage: start.sh STATE_DIR. Serves unix://STATE_DIR/podman.sock and writes the service's
# pid to STATE_DIR/pid. Images and containers live under STATE_DIR/storage, apart from the
# machine's own Podman storage, so the tests neither see nor disturb other containers.
set -euo pipefail
state=$1
here=$(cd "$(dirname "$0")" && pwd)
"$here/stop.sh" "$state" || true
mkdir -p "$state"
state=$(cd "$state" && pwd)
source "$here/podman_env.sh" "$state"

# Runtime state must not outlive the service: Podman refreshes it when it finds none. Its
# database of containers goes too: it records where the runtime state was, and the images
# (kept in storage) do not depend on it.
rm -rf "$state/run" "$state/storage/libpod/bolt_state.db" "$state/storage/db.sql"
mkdir -p "$state/run/tmp" "$state/storage"
ln -sfn "$state/run" "$run_link"
write_containers_conf "$state"

# setsid: the service must survive the shell that started it and be stoppable alone.
setsid "${podman[@]}" system service --time=0 "unix://$state/podman.sock" \
  </dev/null >"$state/service.log" 2>&1 &
echo $! >"$state/pid"

for _ in $(seq 1 100); do
  if curl -sf --unix-socket "$state/podman.sock" http://d/_ping >/dev/null 2>&1; then
    echo "Podman API ready on unix://$state/podman.sock (pid $(cat "$state/pid"))"
    exit 0
  fi
  if ! kill -0 "$(cat "$state/pid")" 2>/dev/null; then break; fi
  sleep 0.1
done
echo "Podman API service did not start; its log:" >&2
cat "$state/service.log" >&2
exit 1
