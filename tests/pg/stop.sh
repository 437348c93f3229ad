#!/usr/bin/env bash
# Stops and removes the cluster started by start.sh. Usage: stop.sh STATE_DIR
set -uo pipefail
state=$1
[ -f "$state/cluster" ] || exit 0
cluster=$(cat "$state/cluster")
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_pg=()
[ "$(id -u)" = 0 ] && as_pg=(runuser -u postgres --)
"${as_pg[@]}" "$bin/pg_ctl" -D "$cluster/data" -m fast -w stop >/dev/null 2>&1
rm -rf "$cluster" "$state/cluster" "$state/url"
