#!/bin/bash
# The test of check_layers.sh: in a scratch tree, a clean layout passes, and each kind of
# deliberate violation (an upward include, host <-> enroll, a program including the other side,
# a quoted include into another folder, an unknown layer) fails it naming the file and line.
set -euo pipefail
check="$(cd "$(dirname "$0")" && pwd)/check_layers.sh"
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
failures=0
put() { mkdir -p "$(dirname "$tree/$1")"; printf '%s\n' "${@:2}" > "$tree/$1"; }
expect() {  # expect EXIT_CODE NEEDLE DESCRIPTION
  local out rc=0
  out=$(bash "$check" "$tree" 2>&1) || rc=$?
  if [[ $rc != "$1" ]] || [[ -n $2 && $out != *"$2"* ]]; then
    echo "FAIL: $3: exit $rc (want $1), output:"; printf '  %s\n' "$out"
    failures=$((failures + 1))
  else
    echo "ok: $3"
  fi
}

expect 2 "no src/vps" "a missing tree is its own exit code"

put src/vps/base/result.hpp '#pragma once' '#include <string>'
put src/vps/sys/fs/file.hpp '#pragma once' '#include <vps/base/result.hpp>'
put src/vps/host/state/state.hpp '#pragma once' '#include <vps/sys/fs/file.hpp>' '#include "state_detail.hpp"'
put src/vps/enroll/store/store.hpp '#pragma once' '#include <vps/net/http/server.hpp>'
put src/cmd/vps-enroll/main.cpp '#include <vps/enroll/store/store.hpp>' '#include <vps/cli/registry.hpp>'
put src/cmd/vps-agent-generator/main.cpp '#include <vps/host/systemd/generator.hpp>'
expect 0 "keeps the layer order" "a clean tree passes"

put src/vps/sys/fs/file.hpp '#pragma once' '#include <vps/base/result.hpp>' '#include <vps/host/state/state.hpp>'
expect 1 "src/vps/sys/fs/file.hpp:3: sys includes host" "an upward include (sys -> host) fails, naming file and line"
put src/vps/sys/fs/file.hpp '#pragma once' '#include <vps/base/result.hpp>'

put src/vps/host/state/state.hpp '#pragma once' '#include <vps/enroll/store/store.hpp>'
expect 1 "host includes enroll" "host and enroll do not include each other"
put src/vps/host/state/state.hpp '#pragma once' '#include <vps/sys/fs/file.hpp>'

put src/cmd/vps-enroll/main.cpp '#include <vps/host/state/state.hpp>'
expect 1 "vps-enroll includes host code" "vps-enroll includes no agent code"
put src/cmd/vps-enroll/main.cpp '#include <vps/enroll/store/store.hpp>'

put src/cmd/vps-agent-generator/main.cpp '#include <vps/net/http/client.hpp>'
expect 1 "the generator includes vps/net/http/client.hpp" "the generator stays small"
put src/cmd/vps-agent-generator/main.cpp '#include <vps/config/config.hpp>'

put src/vps/crypto/hash.cpp '#include "../host/state/state.hpp"'
expect 1 "quoted include" "a quoted include into another folder fails"
rm "$tree/src/vps/crypto/hash.cpp"

put src/vps/util/misc.hpp '#pragma once'
expect 1 "not a layer" "a folder that is not a layer fails"
rm -r "$tree/src/vps/util"

expect 0 "keeps the layer order" "the tree passes again once the violations are gone"

if (( failures > 0 )); then echo "$failures check(s) of check_layers.sh failed"; exit 1; fi
echo "check_layers.sh catches every deliberate violation"
