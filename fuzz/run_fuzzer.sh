#!/usr/bin/env bash
# Runs one libFuzzer target as a CTest test: replays every regression input (each must pass),
# then fuzzes from the seed corpus.
#
# The suite's run is repeatable: from the random seed KRAKEN_FUZZ_SEED (default 1) it tries
# KRAKEN_FUZZ_RUNS inputs (default: the target's RUNS, about 30 s), the same inputs on every
# machine; KRAKEN_FUZZ_SECONDS (default 120) only caps the time, so a slower machine tries a
# first part of them and finds nothing a faster one would not. With KRAKEN_FUZZ_SEED=random
# (exploring: a new seed each run) there is no count, and KRAKEN_FUZZ_SECONDS (default 30)
# is the length of the run. KRAKEN_FUZZ_SECONDS=0 replays the regressions only.
# Usage: run_fuzzer.sh BINARY FUZZ_SOURCE_DIR WORK_DIR NAME RUNS
set -euo pipefail
binary=$1 src=$2 work=$3/$4 name=$4 target_runs=$5
seed=${KRAKEN_FUZZ_SEED:-1}
if [ "$seed" = random ]; then
  seconds=${KRAKEN_FUZZ_SECONDS:-30}
  runs=${KRAKEN_FUZZ_RUNS:--1}
else
  seconds=${KRAKEN_FUZZ_SECONDS:-120}
  runs=${KRAKEN_FUZZ_RUNS:-$target_runs}
fi
flags=(-rss_limit_mb=2048 -timeout=10)
# Inputs of at most 4 KiB: enough for every format here, and quick to run.
fuzz_flags=(-max_len=4096 -runs="$runs")
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
echo "fuzzing with seed $seed: $runs input(s) (-1: no count), at most $seconds s"
if ! "$binary" "${flags[@]}" "${fuzz_flags[@]}" "${dict[@]}" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "$work/corpus" "$src/corpus/$name"; then
  echo "fuzz_$name found a failing input, kept in $work/artifacts/:" >&2
  ls -l "$work/artifacts" >&2
  exit 1
fi
