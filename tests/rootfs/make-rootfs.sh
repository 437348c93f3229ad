#!/usr/bin/env bash
# Makes a stock root filesystem for the tests that boot machines or run containers outside
# the host's /usr, once: later calls find it complete and return at once.
#
#   make-rootfs.sh debian11 DIR   Debian 11 "minbase" (glibc 2.31, essential packages only:
#                                 no curl, no wget), by debootstrap from Debian's archive
#                                 ($KRAKEN_DEBIAN_MIRROR, default http://deb.debian.org/debian)
#   make-rootfs.sh busybox DIR    busybox-static and its applets: no libc at all
#
# Exits 77 (CTest's skip code) when not run as root or when the archive cannot be reached.
set -euo pipefail
kind=$1 dir=$2
[ -f "$dir/.complete" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "skipped: making a root filesystem needs root"
  exit 77
fi
mkdir -p "$(dirname "$dir")"
# Parallel tests may ask for the same root: one makes it, the others wait for it.
exec 9>"$dir.lock"
flock 9
[ -f "$dir/.complete" ] && exit 0
rm -rf "$dir.tmp"
case $kind in
  debian11)
    mirror=${KRAKEN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
    if ! command -v debootstrap >/dev/null; then
      echo "skipped: debootstrap is not installed (scripts/install-deps.sh all installs it)"
      exit 77
    fi
    if ! debootstrap --variant=minbase bullseye "$dir.tmp" "$mirror" >"$dir.log" 2>&1; then
      tail -20 "$dir.log"
      if grep -q "Failed getting release file\|Couldn't download\|Temporary failure" "$dir.log"; then
        echo "skipped: $mirror cannot be reached"
        rm -rf "$dir.tmp"
        exit 77
      fi
      exit 1
    fi
    rm -rf "$dir.tmp"/var/cache/apt/archives/*.deb "$dir.tmp"/var/lib/apt/lists/*
    ;;
  busybox)
    [ -x /bin/busybox ] || { echo "skipped: busybox-static is not installed"; exit 77; }
    ldd /bin/busybox >/dev/null 2>&1 && { echo "/bin/busybox is not static"; exit 1; }
    mkdir -p "$dir.tmp"/{bin,etc,dev,proc,sys,tmp,root,var/tmp,usr/local/bin}
    cp /bin/busybox "$dir.tmp/bin/busybox"
    for applet in $(/bin/busybox --list); do
      [ -e "$dir.tmp/bin/$applet" ] || ln -s busybox "$dir.tmp/bin/$applet"
    done
    ln -s bin "$dir.tmp/sbin"
    echo "root:x:0:0:root:/root:/bin/sh" >"$dir.tmp/etc/passwd"
    echo "root:x:0:" >"$dir.tmp/etc/group"
    chmod 1777 "$dir.tmp/tmp" "$dir.tmp/var/tmp"
    ;;
  *)
    echo "unknown root filesystem: $kind (debian11 or busybox)" >&2
    exit 2
    ;;
esac
printf '127.0.0.1 localhost\n::1 localhost\n' >"$dir.tmp/etc/hosts"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
touch "$dir/.complete"
echo "made the $kind root filesystem in $dir ($(du -sh "$dir" | cut -f1))"
