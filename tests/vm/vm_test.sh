#!/bin/bash
# VM end-to-end test: build the Linode image with image-hooks/build-linode-image (debootstrap
# tree cached in the build directory), validate it with check-image, then boot a test variant
# in QEMU inside a network namespace of its own and walk the user stories (vm_stories.sh).
#
# Usage: tests/vm/vm_test.sh --build-dir BUILD   (CTest runs it; root needed)
# Environment: VPS_VM_ACCEL=kvm|tcg skips the KVM probe; VPS_VM_KEEP=1 keeps the work dir's
# images (the console log and reports are always kept in BUILD/tests/vm/work); VPS_VM_DEB=FILE
# installs that .deb instead of running cpack.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
build=""
while (($#)); do
  case $1 in
    --build-dir) build=$(cd "${2:?}" && pwd); shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "vm_test: unknown argument '$1'" >&2; exit 64 ;;
  esac
done
[[ -n $build ]] || { echo "vm_test: --build-dir is required" >&2; exit 64; }

# Exit 77 is CTest's SKIP_RETURN_CODE for this test; decided before anything is checked, and a
# failure under VPS_FORBID_SKIP=1 (scripts/test.sh as root, as CI runs it).
skip() {
  if [[ ${VPS_FORBID_SKIP:-0} == 1 ]]; then echo "vm_test: would skip, but VPS_FORBID_SKIP=1: $*" >&2; exit 1; fi
  echo "[vps-skip] vm end-to-end test: $*"; exit 77
}
[[ $(id -u) == 0 ]] || skip "needs root (debootstrap, chroot, network namespace)"
for tool in debootstrap qemu-system-x86_64 unshare ip ssh ssh-keyscan ssh-keygen mkfs.ext4 debugfs; do
  command -v "$tool" >/dev/null || skip "'$tool' is not installed (scripts/deps.sh installs it)"
done

export test_started
test_started=$(date +%s)
log() { printf '[vm %4ss] %s\n' "$(( $(date +%s) - test_started ))" "$*"; }

work="$build/tests/vm/work"
rm -rf "$work"
mkdir -p "$work"
cache="$build/image-cache"

# --- the agent as the image installs it: the .deb when packaging is configured, else a staged tree -
agent_source=()
if [[ -n ${VPS_VM_DEB:-} ]]; then
  agent_source=(--deb "$VPS_VM_DEB")      # a prebuilt package (faster iterations)
elif [[ -f $build/CPackConfig.cmake ]] && grep -q '"DEB"' "$build/CPackConfig.cmake"; then
  log "packaging the agent: cmake --build $build --target deb"
  rm -f "$build"/vps-agent_*.deb
  cmake --build "$build" --target deb >"$work/deb.log" 2>&1 \
    || { tail -20 "$work/deb.log"; echo "vm_test: building the .deb failed"; exit 1; }
  deb=$(find "$build" -maxdepth 1 -name 'vps-agent_*.deb' | head -1)
  [[ -n $deb ]] || { echo "vm_test: the deb target made no vps-agent_*.deb in $build"; exit 1; }
  agent_source=(--deb "$deb")
else
  log "no DEB packaging configured: staging with cmake --install"
  DESTDIR="$work/stage" cmake --install "$build" --prefix /usr --strip >"$work/install.log"
  agent_source=(--staged "$work/stage")
fi

# --- 1. the test-only overlay, never part of the product image ------------------------------------
# root's authorized_keys for the test's ssh key, an agent config pointing at the test's endpoint,
# a demo service that needs a secret, a rebuild command. build-linode-image applies it after
# writing the product image, to a second image.
overlay="$work/overlay"
ssh-keygen -q -t ed25519 -N '' -C vm-test -f "$work/test_key"
install -d -m 0700 "$overlay/root/.ssh"
install -m 0600 "$work/test_key.pub" "$overlay/root/.ssh/authorized_keys"
# Operators: alice is trusted by the endpoint and the host, mallory by the endpoint only, eve by
# neither (US3 checks that a rebuild is authorized twice).
mkdir -p "$work/operators.d"
for who in alice mallory eve; do ssh-keygen -q -t ed25519 -N '' -C "$who" -f "$work/operators.d/$who"; done
for who in alice mallory; do echo "$(cut -d' ' -f1,2 "$work/operators.d/$who.pub") $who"; done > "$work/operators"
alice_pub="$(cut -d' ' -f1,2 "$work/operators.d/alice.pub") alice"
export enroll_port=8470   # fixed: it is baked into the image, and the namespace is private
"$here/lib/overlay.sh" "$overlay" "$enroll_port" "$alice_pub"

# --- 2. the product image exactly as uploaded to Linode, and the test variant ------------------------
log "building the images (build-linode-image ${agent_source[*]})"
t0=$(date +%s)
"$source_dir/image-hooks/build-linode-image" --cache "$cache" --output "$work/vps-linode.img.gz" \
  "${agent_source[@]}" --overlay "$overlay" --test-output "$work/vps-test.img" 2>&1 | sed 's/^/  build| /'
t_build=$(( $(date +%s) - t0 ))
log "checking the product image (check-image)"
"$source_dir/image-hooks/check-image" "$work/vps-linode.img.gz" | sed 's/^/  check| /'
[[ ${VPS_VM_KEEP:-0} == 1 ]] || rm -f "$work/vps-linode.img.gz"

# --- 3. boot it and walk the stories, in a network namespace of the test's own -------------------
log "entering a private network namespace (unshare -n): only loopback and QEMU user networking"
export work source_dir t_build
export image="$work/vps-test.img" agent_bin="$build/bin/vps-agent" enroll_bin="$build/bin/vps-enroll"
status=0
unshare --net -- bash "$here/vm_stories.sh" || status=$?
[[ ${VPS_VM_KEEP:-0} == 1 ]] || rm -f "$work/vps-test.img" "$work/vmlinuz" "$work/initrd.img"
log "total $(( $(date +%s) - test_started )) s, exit $status"
exit "$status"
