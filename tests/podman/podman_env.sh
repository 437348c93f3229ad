# Sourced by the scripts in this folder: `source podman_env.sh STATE_DIR` defines
# `podman`, the command line (an array) of the private instance under STATE_DIR, and
# write_containers_conf.
state_dir=$1
export CONTAINERS_CONF="$state_dir/containers.conf"
# vfs storage: plain directories, no overlay mounts to leak, and it works on any file
# system (overlay on overlay does not); the test image is a few megabytes, so copying
# it per container costs nothing.
# Podman refuses a runroot longer than 50 characters, which a checkout in a deep folder
# would give: the runtime state is reached through a short link in /tmp, named after the
# state folder (start.sh makes it).
run_link=/tmp/kraken-podman-$(printf '%s' "$state_dir" | sha256sum | cut -c1-12)
podman=(podman --root "$state_dir/storage" --runroot "$run_link/root"
        --tmpdir "$run_link/tmp" --storage-driver vfs)

# What this kernel and a container-less CI machine need:
# - runc: crun fails on this kernel's cgroup setup;
# - cgroupfs: there may be no systemd to manage cgroups;
# - default_ulimits = []: the rootful default (nofile=1048576) can exceed the hard limit
#   the machine grants, and then no container starts;
# - events in a file: there may be no journald;
# - file locks (kept in the private tmpdir): the default shared-memory locks are one
#   segment per machine, shared with every other Podman instance on it.
write_containers_conf() {
  cat >"$1/containers.conf" <<CONF
[containers]
default_ulimits = []

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$1/run/events.log"
lock_type = "file"
CONF
}
