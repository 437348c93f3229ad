#!/usr/bin/env bash
# Builds the test image localhost/kraken-test:latest without a registry: a root filesystem
# holding only a static busybox, imported into the private Podman instance of start.sh.
# Usage: build_image.sh STATE_DIR [IMAGE]. Skips the work if the image is already there.
set -euo pipefail
state=$(cd "$1" && pwd)
image=${2:-localhost/kraken-test:latest}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/podman_env.sh" "$state"

if ! "${podman[@]}" image exists "$image"; then
  busybox=/bin/busybox
  # The whole help text is read first: with pipefail, a reader that stops early would make
  # busybox die of SIGPIPE and the check fail at random.
  help=$("$busybox" --help 2>&1 || true)
  if [[ $help != *BusyBox* ]] || ldd "$busybox" >/dev/null 2>&1; then
    echo "$busybox is not a static busybox: install busybox-static" >&2
    exit 1
  fi
  rootfs=$(mktemp -d "$state/rootfs.XXXXXX")
  trap 'rm -rf "$rootfs" "$rootfs.tar"' EXIT
  mkdir -p "$rootfs"/{bin,dev,etc,mnt,proc,sys,tmp}
  chmod 1777 "$rootfs/tmp"
  cp "$busybox" "$rootfs/bin/busybox"
  for applet in $("$busybox" --list); do
    [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
  echo 'root:x:0:' >"$rootfs/etc/group"
  tar -C "$rootfs" -cf "$rootfs.tar" .
  "${podman[@]}" import --quiet --change 'CMD ["/bin/sh"]' "$rootfs.tar" "$image" >/dev/null
fi

# An image that imports but cannot run would only fail later, in a less obvious place.
out=$("${podman[@]}" run --rm --network none "$image" /bin/sh -c 'echo hello world')
if [ "$out" != "hello world" ]; then
  echo "a container from $image does not run: got '$out'" >&2
  exit 1
fi
echo "image $image ready"
