#!/usr/bin/env bash
# Runs one libFuzzer target as a CTest test: replays every regression input (each must pass),
# then fuzzes from the seed corpus for KRAKEN_FUZZ_SECONDS seconds (default 30; 0 replays only)
# with the random seed KRAKEN_FUZZ_SEED (default 1, so that a run of the suite is repeatable;
# `random` draws a new one, to explore).
# Usage: run_fuzzer.sh BINARY FUZZ_SOURCE_DIR WORK_DIR NAME
set -euo pipefail
binary=$1 src=$2 work=$3/$4 name=$4
seconds=${KRAKEN_FUZZ_SECONDS:-30}
seed=${KRAKEN_FUZZ_SEED:-1}
flags=(-rss_limit_mb=2048 -timeout=10)
# Inputs of at most 4 KiB: enough for every format here, and quick to run.
fuzz_flags=(-max_len=4096)
[ "$seed" = random ] || fuzz_flags+=(-seed="$seed")

regressions=("$src/regressions/$name"/*)
if [ -e "${regressions[0]}" ]; then
  echo "replaying ${#regressions[@]} regression input(s) of $src/regressions/$name"
  "$binary" "${flags[@]}" "${regressions[@]}"
fi
[ "$seconds" -gt 0 ] || exit 0

# New inputs go to the work folder, never into the repository's corpus; so do crash files.
rm -rf "$work" && mkdir -p "$work/corpus" "$work/artifacts"
dict=()
[ -f "$src/dict/$name.dict" ] && dict=(-dict="$src/dict/$name.dict")
if ! "$binary" "${flags[@]}" "${fuzz_flags[@]}" "${dict[@]}" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "$work/corpus" "$src/corpus/$name"; then
  echo "fuzz_$name found a failing input, kept in $work/artifacts/:" >&2
  ls -l "$work/artifacts" >&2
  exit 1
fi
