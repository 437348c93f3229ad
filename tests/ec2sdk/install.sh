#!/bin/sh
# Installs the pinned AWS SDK from package-lock.json (a CTest fixture), unless it is there.
set -e
cd "$(dirname "$0")"
if [ -f node_modules/@aws-sdk/client-ec2/package.json ] &&
   grep -q '"version": "3.1169.0"' node_modules/@aws-sdk/client-ec2/package.json; then
  exit 0
fi
exec npm ci --no-audit --no-fund --loglevel=error
