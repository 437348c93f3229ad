#!/usr/bin/env bash
# Imports the stock root filesystems of tests/rootfs into the private Podman instance as
# unmodified images, for the container tests:
#   localhost/debian:11-minbase   Debian 11 minbase (glibc 2.31, no curl, no wget)
#   localhost/busybox:stock       busybox-static alone, no libc
#   localhost/noshell:latest      no shell and no programs at all (only /etc/passwd)
# Nothing of Kraken is in them: the Docker driver brings the agent in. Skipped (exit 77)
# when the root filesystems were not made.
# Usage: import_rootfs_images.sh STATE_DIR ROOTFS_DIR
set -euo pipefail
state=$(cd "$1" && pwd)
rootfs=$2
here=$(cd "$(dirname "$0")" && pwd)
source "$here/podman_env.sh" "$state"

for kind in debian11 busybox; do
  if [ ! -f "$rootfs/$kind/.complete" ]; then
    echo "skipped: $rootfs/$kind was not made (see the rootfs_$kind test)"
    exit 77
  fi
done

import() {  # DIR IMAGE CMD
  local dir=$1 image=$2 cmd=$3
  "${podman[@]}" image exists "$image" && return 0
  tar --exclude=./.complete -C "$dir" -cf "$state/import.tar" .
  "${podman[@]}" import --quiet --change "CMD $cmd" "$state/import.tar" "$image" >/dev/null
  rm -f "$state/import.tar"
}
import "$rootfs/debian11" localhost/debian:11-minbase '["/bin/bash"]'
import "$rootfs/busybox" localhost/busybox:stock '["/bin/sh"]'
empty=$(mktemp -d "$state/noshell.XXXXXX")
trap 'rm -rf "$empty"' EXIT
mkdir -p "$empty"/{etc,tmp,proc,sys,dev}
echo 'root:x:0:0:root:/root:/nonexistent' >"$empty/etc/passwd"
import "$empty" localhost/noshell:latest '["/bin/sh"]'

# An image that imports but cannot run would only fail later, in a less obvious place.
for image in localhost/debian:11-minbase localhost/busybox:stock; do
  out=$("${podman[@]}" run --rm --network none "$image" /bin/sh -c 'echo hello world')
  [ "$out" = "hello world" ] || { echo "a container from $image does not run: got '$out'" >&2; exit 1; }
done
echo "images localhost/debian:11-minbase, localhost/busybox:stock, localhost/noshell:latest ready"
