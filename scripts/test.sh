#!/bin/bash
# The whole test suite: install dependencies, build with -Werror, run every CTest test.
# Usage: scripts/test.sh [extra ctest arguments]   (BUILD_DIR overrides ./build-test)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
build=${BUILD_DIR:-build-test}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVPS_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
cd "$build"
# As root (CI, or a fresh machine after deps.sh) every prerequisite of every test is installed:
# a test that would skip there fails instead (tests/support/test_support.hpp, VPS_SKIP).
if [[ $(id -u) == 0 ]]; then export VPS_FORBID_SKIP=${VPS_FORBID_SKIP:-1}; fi
ctest --output-on-failure -j"$(nproc)" --timeout 900 "$@"
