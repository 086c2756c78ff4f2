#!/bin/bash
# The whole test suite, in two stages:
#  1. the normal build (-Werror): every CTest test, the VM test included;
#  2. the unit and binary tests again, built by clang with AddressSanitizer and UBSan (a report
#     aborts the process, so the test fails), and each fuzz target for a few seconds from its
#     seeds, in that same build (libFuzzer needs clang and the instrumentation is shared).
# Usage: scripts/test.sh [extra ctest arguments for stage 1]
#   BUILD_DIR (default build-test), SANITIZE_BUILD_DIR (default build-sanitize);
#   VPS_TEST_STAGES="1" or "2" runs one stage only (default "1 2").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
build=${BUILD_DIR:-build-test}
sanitize=${SANITIZE_BUILD_DIR:-build-sanitize}
stages=${VPS_TEST_STAGES:-1 2}
jobs=$(nproc)
# As root (CI, or a fresh machine after deps.sh) every prerequisite of every test is installed:
# a test that would skip there fails instead (tests/support/test_support.hpp, VPS_SKIP).
if [[ $(id -u) == 0 ]]; then export VPS_FORBID_SKIP=${VPS_FORBID_SKIP:-1}; fi
# lld links the ~70 test and fuzz programs four to five times faster than ld.bfd (9.0 s -> 1.9 s
# for the ASan test_enroll_server, 4.3 s -> 0.8 s at -O2); both gcc and clang drive it.
link=(-DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld)
started=$(date +%s)
# Before each stage's ctest, so that the output still ends with CTest's summary.
built() { echo "test.sh: stage $1 built in $(( $(date +%s) - $2 )) s ($(( $(date +%s) - started )) s since the start)"; }

if [[ " $stages " == *" 1 "* ]]; then
  t=$(date +%s)
  # -O2 -DNDEBUG as RelWithDebInfo, without -g: the same code and the same warnings, a third less
  # compile time and far smaller links (the .deb is stripped anyway); the CI budget is 45 minutes.
  # The test programs' own code at -O0 (VPS_TESTS_O0; the code under test keeps -O2): 40% less
  # compile time for them (day_two_test.cpp 18 s -> 11 s).
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=None -DCMAKE_C_FLAGS="-O2 -DNDEBUG" -DCMAKE_CXX_FLAGS="-O2 -DNDEBUG" \
    -DVPS_WERROR=ON -DVPS_TESTS_O0=ON "${link[@]}" >/dev/null
  cmake --build "$build" -j"$jobs"
  built 1 "$t"
  (cd "$build" && ctest --output-on-failure -j"$jobs" --timeout 900 "$@")
fi

if [[ " $stages " == *" 2 "* ]]; then
  t=$(date +%s)
  # -O0 with line tables: the cheapest build that still names file and line in every report (at
  # -O1 the sanitizers triple the compile time of the Beast-heavy files). Warnings are
  # stage 1's job (gcc, -Werror); clang's differ and would fail here for style alone.
  cmake -S . -B "$sanitize" -DCMAKE_BUILD_TYPE=None -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_C_FLAGS="-O0 -gline-tables-only" -DCMAKE_CXX_FLAGS="-O0 -gline-tables-only" -DVPS_FUZZ=ON -DVPS_TESTS=ON \
    -DVPS_TEST_FOLDERS="unit;agent;enroll;e2e" "${link[@]}" >/dev/null
  cmake --build "$sanitize" -j"$jobs"
  # halt_on_error: the first report ends the process; detect_leaks: a leak is a failure too.
  export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1:abort_on_error=0}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  built 2 "$t"
  (cd "$sanitize" && ctest --output-on-failure -j"$jobs" --timeout 900 -L '^(unit|agent|enroll|e2e|fuzz)$')
fi
