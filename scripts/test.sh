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
ctest --output-on-failure -j"$(nproc)" --timeout 900 "$@"
