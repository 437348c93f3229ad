#!/usr/bin/env bash
# Builds localhost/kraken-agent-test:latest: the busybox root filesystem of build_image.sh
# plus the shared libraries the `kraken` binary needs (found with ldd, copied to the same
# paths), so the server's own binary, bind-mounted into a container by the Docker driver,
# runs there as an agent. Rebuilt when the binary's library list changes.
# Usage: build_agent_image.sh STATE_DIR KRAKEN_BIN [IMAGE]
set -euo pipefail
state=$(cd "$1" && pwd)
kraken=$(realpath "$2")
image=${3:-localhost/kraken-agent-test:latest}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/podman_env.sh" "$state"

# "name => /path (addr)" lines, and the loader's own "/path (addr)" line.
libs=$(ldd "$kraken" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u)
stamp="$state/agent-image.libs"
if "${podman[@]}" image exists "$image" && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$libs" ]; then
  echo "image $image ready"
  exit 0
fi
"${podman[@]}" image rm -f "$image" >/dev/null 2>&1 || true

busybox=/bin/busybox
rootfs=$(mktemp -d "$state/agent-rootfs.XXXXXX")
trap 'rm -rf "$rootfs" "$rootfs.tar"' EXIT
mkdir -p "$rootfs"/{bin,dev,etc,mnt,proc,sys,tmp,usr/local/bin,root}
chmod 1777 "$rootfs/tmp"
cp "$busybox" "$rootfs/bin/busybox"
for applet in $("$busybox" --list); do
  [ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
done
for lib in $libs; do
  # Copy the file and keep the path (and the merged-/usr symlink layout) the loader expects.
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
echo 'root:x:0:' >"$rootfs/etc/group"
echo 'hosts: files' >"$rootfs/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n' >"$rootfs/etc/hosts"
tar -C "$rootfs" -cf "$rootfs.tar" .
"${podman[@]}" import --quiet --change 'CMD ["/bin/sh"]' "$rootfs.tar" "$image" >/dev/null

# The agent binary must start in it, or the tests would fail later and less clearly.
# (The whole output is read, then cut: an early-stopping reader could kill it with SIGPIPE.)
out=$("${podman[@]}" run --rm --network none -v "$kraken:/usr/local/bin/kraken:ro" "$image" \
      /usr/local/bin/kraken --help 2>&1 || true)
out=${out%%$'\n'*}
case "$out" in
  *Kraken*) ;;
  *) echo "kraken does not run in $image: $out" >&2; exit 1 ;;
esac
echo "$libs" >"$stamp"
echo "image $image ready"
