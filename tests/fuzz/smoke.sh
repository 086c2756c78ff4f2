#!/bin/bash
# Fuzz smoke test: run one libFuzzer target for a few seconds from its seeds (CTest "fuzz: ...",
# the sanitizer stage of scripts/test.sh). New inputs go to a scratch folder, never into the
# seed folders. Exit 0 when the target ran its time without a finding; any crash, sanitizer
# report, leak, timeout or out-of-memory is a failure (exit 1, never 77: that is CTest's skip).
# Usage: smoke.sh TARGET SECONDS [SEED_DIR...]
set -euo pipefail
target=$1 seconds=$2
shift 2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
seeds=()
for dir in "$@"; do [[ -d $dir ]] && seeds+=("$dir"); done
echo "fuzz smoke: $(basename "$target") for ${seconds}s from ${#seeds[@]} seed folder(s)"
"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -error_exitcode=1 -timeout_exitcode=1 \
  -print_final_stats=1 -artifact_prefix="$scratch/" "$scratch" "${seeds[@]}" || {
  echo "the fuzzer exited $? after a finding or an error"
  for artifact in "$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-* "$scratch"/oom-*; do
    [[ -e $artifact ]] && { echo "finding: $artifact (base64 follows)"; base64 -w0 "$artifact"; echo; }
  done
  exit 1
}
