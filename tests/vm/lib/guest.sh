# guest.sh: QEMU and ssh helpers for the VM end-to-end test (sourced by vm_stories.sh).
# Expects: $work (scratch dir), $image (raw test image), $ssh_port, $instance_id.
# shellcheck shell=bash
# shellcheck disable=SC2154,SC2034 # shared globals with vm_stories.sh (work, image, boot_started...)

qemu_pid=""
boot_started=0

log() { printf '[vm %4ss] %s\n' "$(( $(date +%s) - ${test_started:-$(date +%s)} ))" "$*"; }
fail() { log "FAIL: $*"; exit 1; }
indent() { sed "s/^/  $1| /"; }

# Kernel, initrd and command line come from the image itself: the files grub.cfg names and its
# linux line, which is what Linode's "GRUB 2" setting boots. QEMU's direct kernel boot with the
# same command line is the honest equivalent (no bootloader is in the image to run).
extract_boot_files() {
  local grub linux_line initrd_line kpath ipath
  grub=$(debugfs -R "cat /boot/grub/grub.cfg" "$image" 2>/dev/null)
  linux_line=$(grep -m1 -E '^[[:space:]]*linux[[:space:]]' <<<"$grub") || fail "no linux line in grub.cfg"
  initrd_line=$(grep -m1 -E '^[[:space:]]*initrd[[:space:]]' <<<"$grub") || fail "no initrd line in grub.cfg"
  read -r _ kpath kernel_cmdline <<<"$linux_line"
  read -r _ ipath <<<"$initrd_line"
  debugfs -R "dump $kpath $work/vmlinuz" "$image" 2>/dev/null
  debugfs -R "dump $ipath $work/initrd.img" "$image" 2>/dev/null
  [[ -s $work/vmlinuz && -s $work/initrd.img ]] || fail "could not extract $kpath / $ipath from $image"
  log "boot files from grub.cfg: $kpath, $ipath, cmdline '$kernel_cmdline'"
}

# KVM when a quick probe shows a guest kernel running under it, else TCG: on some machines
# /dev/kvm exists but guests hang or abort. VPS_VM_ACCEL=kvm|tcg overrides the probe.
choose_accel() {
  accel=${VPS_VM_ACCEL:-}
  if [[ -z $accel ]]; then
    accel=tcg
    if [[ -w /dev/kvm ]]; then
      rm -f "$work/kvm-probe.log"
      timeout 20 qemu-system-x86_64 -accel kvm -m 256 -display none -monitor none -no-reboot \
        -kernel "$work/vmlinuz" -append "console=ttyS0 panic=-1" -serial "file:$work/kvm-probe.log" \
        >/dev/null 2>&1 || true
      grep -q "Kernel panic\|VFS:" "$work/kvm-probe.log" 2>/dev/null && accel=kvm
    fi
  fi
  log "accelerator: $accel (VPS_VM_ACCEL overrides)"
}

# Boots the image: disk as /dev/sda on virtio-scsi (as on Linode), serial console appended to
# console.log, DMI system serial = the instance id (Linode ID), user networking with the host's
# loopback at 10.0.2.2, the DHCP host name vm-e2e, and ssh forwarded to 127.0.0.1:$ssh_port.
start_vm() {
  boot_started=$(date +%s)
  qemu-system-x86_64 -accel "$accel" -m 1024 -smp 1 -display none -monitor none \
    -kernel "$work/vmlinuz" -initrd "$work/initrd.img" -append "$kernel_cmdline" \
    -drive "file=$image,format=raw,if=none,id=root,cache=unsafe" \
    -device virtio-scsi-pci,id=scsi0 -device scsi-hd,drive=root,bus=scsi0.0 \
    -netdev "user,id=net0,hostname=vm-e2e,hostfwd=tcp:127.0.0.1:$ssh_port-:22" \
    -device virtio-net-pci,netdev=net0,romfile= \
    -smbios "type=1,serial=$instance_id" \
    -chardev "file,id=console,path=$work/console.log,append=on" -serial chardev:console \
    >"$work/qemu.log" 2>&1 &
  qemu_pid=$!
  log "qemu started (pid $qemu_pid), console: $work/console.log"
}

stop_vm() {
  [[ -n $qemu_pid ]] || return 0
  kill "$qemu_pid" 2>/dev/null || true
  wait "$qemu_pid" 2>/dev/null || true
  qemu_pid=""
}

vm_alive() { [[ -n $qemu_pid ]] && kill -0 "$qemu_pid" 2>/dev/null; }

# Waits until console.log (from byte $2 on) matches the extended regex $1, up to $3 seconds.
wait_console() {
  local pattern=$1 from=$2 limit=$3 deadline=$(( $(date +%s) + $3 ))
  while (( $(date +%s) < deadline )); do
    tail -c +"$((from + 1))" "$work/console.log" 2>/dev/null | grep -qaE "$pattern" && return 0
    vm_alive || fail "qemu exited while waiting for '$pattern' on the console (see $work/qemu.log)"
    sleep 1
  done
  fail "no '$pattern' on the serial console within ${limit}s (tail: $(tail -c 600 "$work/console.log" | tr -d '\r'))"
}

console_size() { stat -c %s "$work/console.log" 2>/dev/null || echo 0; }

ssh_guest() {
  ssh -p "$ssh_port" -i "$work/test_key" -o BatchMode=yes -o ConnectTimeout=10 \
    -o UserKnownHostsFile="$work/known_hosts" -o StrictHostKeyChecking=yes -o LogLevel=ERROR \
    root@127.0.0.1 "$@"
}

# Waits until sshd answers ssh-keyscan with an ed25519 key; prints the key line.
wait_ssh_key() {
  local limit=$1 deadline=$(( $(date +%s) + $1 )) line
  while (( $(date +%s) < deadline )); do
    line=$(ssh-keyscan -T 5 -t ed25519 -p "$ssh_port" 127.0.0.1 2>/dev/null | grep -m1 ssh-ed25519 || true)
    [[ -n $line ]] && { echo "$line"; return 0; }
    vm_alive || fail "qemu exited while waiting for sshd (see $work/qemu.log)"
    sleep 2
  done
  fail "sshd did not answer on 127.0.0.1:$ssh_port within ${limit}s"
}

# Polls a command until it succeeds, up to $1 seconds; status 1 when it never did.
poll() {
  local deadline=$(( $(date +%s) + $1 ))
  shift
  while (( $(date +%s) < deadline )); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 2
  done
  return 1
}

# poll, failing the test with what was awaited ($2).
wait_for() {
  local limit=$1 what=$2
  shift 2
  poll "$limit" "$@" || fail "timed out after ${limit}s waiting for: $what"
}

# The fingerprint block's SHA256 fingerprint and age recipient, from console.log after byte $1.
console_fingerprint() {
  tail -c +"$(($1 + 1))" "$work/console.log" | tr -d '\r' \
    | sed -n '/BEGIN SSH HOST KEY FINGERPRINTS/,/END SSH HOST KEY FINGERPRINTS/p' \
    | grep -m1 -oE 'SHA256:[A-Za-z0-9+/]+'
}
console_age_recipient() {
  tail -c +"$(($1 + 1))" "$work/console.log" | tr -d '\r' | grep -m1 -oE 'age1[0-9a-z]+'
}
