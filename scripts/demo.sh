#!/bin/bash
# The main job, locally: a host's first boot in a scratch root, its identity shown to the operator.
# (Grows into the full story: publish → approve/rekey → secrets in ramfs → dependent unit.)
# Usage: scripts/demo.sh   (run as root on Debian 12; installs what it needs)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
build=${BUILD_DIR:-build-demo}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVPS_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target vps-agent vps-enroll
agent="$PWD/$build/agent/cmd/vps-agent"

scratch=$(mktemp -d /tmp/vps-demo.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
root="$scratch/root"
mkdir -p "$root/etc/ssh" "$root/var/lib" "$root/sys/class/dmi/id"
echo "demo-instance-$$" > "$root/sys/class/dmi/id/product_serial"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
step "first boot in $root"
"$agent" --root "$root" firstboot
step "operator: vps-agent pubkey"
"$agent" --root "$root" pubkey --format ssh
"$agent" --root "$root" pubkey --format age
"$agent" --root "$root" pubkey --format fingerprint
step "status"
"$agent" --root "$root" status
