#!/usr/bin/env bash
# Starts a throw-away PostgreSQL cluster for the tests: private directory, port and socket.
# Usage: start.sh STATE_DIR PORT. Writes STATE_DIR/url (a libpq URL) and STATE_DIR/cluster
# (where the cluster lives). When PORT is taken (another build's cluster), the next free port
# is used. initdb refuses to run as root, so as root the cluster belongs to `postgres`.
set -euo pipefail
state=$1 port=$2
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
"$(dirname "$0")/stop.sh" "$state" || true
mkdir -p "$state"
while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
cluster=$(mktemp -d /tmp/kraken-pg.XXXXXX)
chmod 755 "$cluster"
as_pg=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$cluster"
  as_pg=(runuser -u postgres --)
fi
"${as_pg[@]}" "$bin/initdb" -D "$cluster/data" -A trust -U postgres -E UTF8 >"$cluster/initdb.log"
# A port nobody listens on can still be taken, as the local end of a connection; the
# server then cannot bind it and the next port is tried.
for attempt in 1 2 3 4 5; do
  if "${as_pg[@]}" "$bin/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 60 \
    -o "-p $port -k $cluster -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null; then
    break
  fi
  if [ "$attempt" = 5 ] || ! grep -q "could not create any TCP/IP sockets" "$cluster/server.log"; then
    cat "$cluster/server.log" >&2
    exit 1
  fi
  port=$((port + 1))
  while (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
done
echo "$cluster" >"$state/cluster"
echo "postgresql://postgres@127.0.0.1:$port/postgres" >"$state/url"
echo "PostgreSQL ready on 127.0.0.1:$port ($cluster)"
