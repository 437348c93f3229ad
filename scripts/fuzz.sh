#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (AddressSanitizer and UBSan) into
# build-fuzz/, and runs them through CTest: each replays every input of
# fuzz/regressions/<target>/, then fuzzes from fuzz/corpus/<target>/ for KRAKEN_FUZZ_SECONDS
# seconds (default 30; 0 replays only). Arguments go to ctest (e.g. -R fuzz_junit_xml).
# See docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build-fuzz -G Ninja -DKRAKEN_FUZZ=ON -DCMAKE_BUILD_TYPE=Fuzz \
  -DCMAKE_CXX_COMPILER=clang++ "${launcher[@]}" >/dev/null
cmake --build build-fuzz -j "$(nproc)"
cd build-fuzz
ctest --output-on-failure -j "$(nproc)" "$@"
