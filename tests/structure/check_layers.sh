#!/bin/bash
# The layer rule, checked on every #include under src/ (README, "Repository layout"):
#
#   base -> sys -> crypto -> formats -> protocol -> config -> net -> host | enroll -> cli
#
# A file in src/vps/<layer>/ may include <vps/<same layer>/...> or a layer to its left; host and
# enroll sit side by side and include neither each other. Of the programs under src/cmd/,
# vps-enroll includes no host code and vps-agent no enroll code (each links only its side), and
# the generator only base, sys, config and host/systemd. Quoted includes reaching into another
# folder ("../x.hpp") are refused outright: they would dodge the rule.
#
# Usage: check_layers.sh [SOURCE_ROOT]   (default: the repository this script is in)
# Exit 0: every include keeps the order. Exit 1: each offending line is printed as
# "file:line: <layer> includes <other layer> (...)". Exit 2: the tree is not there.
set -euo pipefail
root=${1:-"$(cd "$(dirname "$0")/../.." && pwd)"}
[[ -d $root/src/vps ]] || { echo "check_layers: no src/vps under '$root'" >&2; exit 2; }

declare -A rank=([base]=0 [sys]=1 [crypto]=2 [formats]=3 [protocol]=4 [config]=5 [net]=6 [host]=7
                 [enroll]=7 [cli]=8)
violations=0
report() { echo "$1: $2"; violations=$((violations + 1)); }

# allowed FROM TO: may code of layer FROM include layer TO?
allowed() {
  local from=$1 to=$2
  [[ -n ${rank[$to]:-} ]] || return 1
  [[ $from == "$to" ]] && return 0
  (( rank[$to] < rank[$from] ))
}

while IFS= read -r -d '' file; do
  rel=${file#"$root"/}
  case $rel in
    src/vps/*) from=${rel#src/vps/}; from=${from%%/*}; program= ;;
    src/cmd/*) program=${rel#src/cmd/}; program=${program%%/*}; from=cli ;;
    *) continue ;;
  esac
  if [[ -z $program && -z ${rank[$from]:-} ]]; then
    report "$rel" "is in src/vps/$from/, which is not a layer (add it to the README and this script)"
    continue
  fi
  line_no=0
  while IFS= read -r line; do
    line_no=$((line_no + 1))
    [[ $line =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*([\"\<])([^\"\>]*) ]] || continue
    target=${BASH_REMATCH[2]}
    if [[ ${BASH_REMATCH[1]} == '"' ]]; then
      [[ $target == */* ]] && report "$rel:$line_no" "quoted include '$target' reaches into another folder; use <vps/...>"
      continue
    fi
    [[ $target == vps/* ]] || continue
    to=${target#vps/}; to=${to%%/*}
    if [[ -n $program ]]; then
      case $program:$to in
        vps-enroll:host) report "$rel:$line_no" "vps-enroll includes host code ($target): it links no agent code" ;;
        vps-agent:enroll) report "$rel:$line_no" "vps-agent includes enroll code ($target)" ;;
        vps-agent-generator:*)
          case $target in
            vps/base/* | vps/sys/* | vps/config/* | vps/host/systemd/*) ;;
            *) report "$rel:$line_no" "the generator includes $target: it links base, sys, config and host/systemd only" ;;
          esac ;;
      esac
      [[ -n ${rank[$to]:-} ]] || report "$rel:$line_no" "includes $target, which is not in a layer"
      continue
    fi
    allowed "$from" "$to" || report "$rel:$line_no" "$from includes $to ($target): a layer includes only itself and the layers before it"
  done < "$file"
done < <(find "$root/src" -type f \( -name '*.hpp' -o -name '*.cpp' -o -name '*.h' \) -print0 | sort -z)

if (( violations > 0 )); then
  echo "check_layers: $violations include(s) against the layer order" >&2
  exit 1
fi
echo "check_layers: every include under $root/src keeps the layer order"
