#!/bin/sh
# Builds the reference Starlark interpreter (go.starlark.net, from Debian's
# golang-starlark-dev) into the path given as $1, offline.
set -eu
out=${1:?usage: build_oracle.sh OUTPUT}
here=$(cd "$(dirname "$0")" && pwd)
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$cache" GOFLAGS= \
  go build -o "$out" "$here/oracle/main.go"
