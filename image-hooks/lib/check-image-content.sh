# check-image-content.sh: the disk-layout and filesystem-content checks of check-image (sourced;
# reports through check-image's problem/warning functions, reads the raw image with debugfs).
# shellcheck shell=bash
# shellcheck disable=SC2154 # raw, image, kernel, fs_type are check-image's globals

# Entries of a directory in the image as "mode name size" lines (mode in octal as debugfs prints
# it: 100644 file, 120777 symlink, 40755 directory); nothing when the directory is missing.
image_ls() {
  debugfs -R "ls -p $1" "$raw" 2>/dev/null \
    | awk -F/ 'NF >= 7 && $6 != "." && $6 != ".." { print $3, $6, $7 }'
}

# "mode size" of one path, or nothing.
image_entry() {
  local dir=${1%/*} name=${1##*/}
  image_ls "${dir:-/}" | awk -v n="$name" '$2 == n { print $1, $3; exit }'
}

image_cat() { debugfs -R "cat $1" "$raw" 2>/dev/null; }

is_regular() { [[ ${1:-} == 100* ]]; }

check_partitions() {
  local mbr gpt pttype fs
  mbr=$(hex_at "$raw" 510 2)
  gpt=$(dd if="$raw" bs=1 skip=512 count=8 status=none 2>/dev/null | tr -d '\000')
  pttype=$(blkid -p -o value -s PTTYPE "$raw" 2>/dev/null || true)
  fs=$(blkid -p -o value -s TYPE "$raw" 2>/dev/null || true)
  # 55AA at byte 510 is also a FAT boot sector's signature: it means "MBR" only when no
  # filesystem starts at byte 0.
  if [[ $gpt == "EFI PART" || -n $pttype || ($mbr == 55aa && -z $fs) ]]; then
    [[ $gpt == "EFI PART" ]] && pttype=gpt
    problem partitions "$image" "the disk has a partition table (${pttype:-MBR boot signature}); Linode expects an unpartitioned filesystem image, the whole disk being one ext4 filesystem" \
      "make the filesystem on the whole file (mkfs.ext4 -d TREE IMG SIZE, as build-linode-image does) or extract the root partition: dd if=IMG of=root.img bs=512 skip=START count=SECTORS"
    return 1
  fi
}

check_filesystem() {
  fs_type=$(blkid -p -o value -s TYPE "$raw" 2>/dev/null || true)
  case $fs_type in
    ext4) return 0 ;;
    ext2|ext3)
      problem filesystem "$image" "the filesystem is $fs_type; Linode's helpers (disk resize, root password, network helper) expect ext4" \
        "make it with mkfs.ext4 (build-linode-image does), or convert: tune2fs -O extents,uninit_bg,dir_index IMG && e2fsck -fD IMG"
      return 0 ;;
    "")
      problem filesystem "$image" "no filesystem found on the disk; Linode expects a whole-disk ext4 filesystem" \
        "build the image with build-linode-image (mkfs.ext4 -d TREE IMG SIZE)"
      return 1 ;;
    *)
      problem filesystem "$image" "the filesystem is $fs_type; Linode expects ext4" \
        "build the image with build-linode-image (mkfs.ext4 -d TREE IMG SIZE)"
      return 1 ;;
  esac
}

check_boot() {
  local entries grub linux_line initrd_line path args
  entries=$(image_ls /boot)
  kernel=$(awk '$1 ~ /^100/ && $2 ~ /^vmlinuz-/ && $3 > 0 { print $2 }' <<<"$entries" | sort -V | tail -1)
  [[ -n $kernel ]] || problem kernel /boot "no kernel (/boot/vmlinuz-*) in the image" \
    "install a kernel in the tree (apt-get install linux-image-amd64)"
  awk '$1 ~ /^100/ && $2 ~ /^initrd.img-/ && $3 > 0 { found = 1 } END { exit !found }' <<<"$entries" \
    || problem initrd /boot "no initramfs (/boot/initrd.img-*) in the image" \
      "install initramfs-tools in the tree and run update-initramfs -c -k all"

  grub=$(image_cat /boot/grub/grub.cfg)
  if [[ -z $grub ]]; then
    problem grub /boot/grub/grub.cfg "missing or empty; Linode's \"GRUB 2\" boot setting reads it from the image" \
      "write /boot/grub/grub.cfg with a menuentry whose linux line has console=ttyS0,19200n8 (build-linode-image does)"
    return 0
  fi
  linux_line=$(grep -E '^[[:space:]]*linux(16)?[[:space:]]' <<<"$grub" | head -1 || true)
  initrd_line=$(grep -E '^[[:space:]]*initrd(16)?[[:space:]]' <<<"$grub" | head -1 || true)
  if [[ -z $linux_line ]]; then
    problem grub /boot/grub/grub.cfg "no 'linux' line: GRUB would have no kernel to boot" \
      "add a menuentry with 'linux /boot/vmlinuz-VERSION root=/dev/sda ro console=ttyS0,19200n8'"
    return 0
  fi
  read -r _ path args <<<"$linux_line"
  path=${path#\(*\)}
  if [[ " $args " != *" console=ttyS0,19200n8 "* ]]; then
    problem serial-console /boot/grub/grub.cfg "the kernel command line '$args' lacks console=ttyS0,19200n8: Lish (Linode's serial console) would show nothing, not even the host key fingerprint" \
      "append console=ttyS0,19200n8 to the linux line"
  fi
  [[ " $args " == *" root="* ]] || warning grub /boot/grub/grub.cfg "the kernel command line has no root=: the initramfs may not find /dev/sda" \
    "add root=/dev/sda to the linux line"
  [[ -n $(image_entry "$path") ]] || problem grub /boot/grub/grub.cfg "the linux line names '$path', which is not in the image" \
    "point it at the installed kernel${kernel:+ (/boot/$kernel)}"
  if [[ -n $initrd_line ]]; then
    read -r _ path _ <<<"$initrd_line"
    path=${path#\(*\)}
    [[ -n $(image_entry "$path") ]] || problem grub /boot/grub/grub.cfg "the initrd line names '$path', which is not in the image" \
      "point it at the installed initramfs (/boot/initrd.img-VERSION)"
  else
    warning grub /boot/grub/grub.cfg "no 'initrd' line: the kernel must then find /dev/sda on its own" \
      "add 'initrd /boot/initrd.img-VERSION' after the linux line"
  fi
}

check_identity() {
  local name entry
  while read -r _ name _; do
    [[ -n $name ]] || continue
    problem host-keys "/etc/ssh/$name" "an ssh host key is left in the image: every instance would share it and vps-agent would quarantine it on first boot" \
      "remove it before capture: image-hooks/prepare-capture ROOT (rm /etc/ssh/ssh_host_*)"
  done < <(image_ls /etc/ssh | awk '$2 ~ /^ssh_host_/')

  entry=$(image_entry /etc/machine-id)
  if [[ -z $entry ]]; then
    problem machine-id /etc/machine-id "missing: systemd cannot tell the first boot of an instance, and a read-only /etc would get no id at all" \
      "create it empty: ': > ROOT/etc/machine-id' (prepare-capture does)"
  elif ! is_regular "$entry" || [[ ${entry#* } != 0 ]]; then
    problem machine-id /etc/machine-id "not empty (${entry#* } bytes): every instance would share this machine id (journal, DHCP client id, dbus)" \
      "truncate it: ': > ROOT/etc/machine-id' (image-hooks/prepare-capture ROOT)"
  fi
  entry=$(image_entry /var/lib/dbus/machine-id)
  if is_regular "$entry" && [[ ${entry#* } != 0 ]]; then
    problem machine-id /var/lib/dbus/machine-id "a dbus machine id is left in the image" \
      "replace it with a symlink to /etc/machine-id (prepare-capture does)"
  fi
}

# The [Install] targets of a unit file: "wants TARGET" / "requires TARGET" lines.
unit_install_links() {
  awk -F= '/^\[/ { install = ($0 == "[Install]") }
    install && $1 == "WantedBy"   { n = split($2, t, " "); for (i = 1; i <= n; i++) print "wants", t[i] }
    install && $1 == "RequiredBy" { n = split($2, t, " "); for (i = 1; i <= n; i++) print "requires", t[i] }'
}

check_agent() {
  local unit_dir="" dir unit kind target units
  is_regular "$(image_entry /usr/bin/vps-agent)" || problem agent /usr/bin/vps-agent "vps-agent is not installed" \
    "install it: image-hooks/install-agent ROOT vps-agent_VERSION_amd64.deb"
  for dir in /usr/lib/systemd/system /lib/systemd/system; do
    [[ -n $(image_ls "$dir" | head -1) ]] && { unit_dir=$dir; break; }
  done
  units=$(image_ls "${unit_dir:-/usr/lib/systemd/system}" | awk '$2 ~ /^(vps-agent.*\.service|vps-secrets(-wait)?\.(service|target))$/ { print $2 }')
  for unit in vps-agent-firstboot.service vps-agent-publish.service vps-secrets.service vps-secrets-wait.service vps-secrets.target; do
    grep -qx "$unit" <<<"$units" || problem units "$unit_dir/$unit" "unit not installed" \
      "install the agent with image-hooks/install-agent"
  done
  # The rebuild watcher is enabled only on images configured for rebuilds: not required here.
  for unit in $units; do
    [[ $unit != vps-agent-watch.service ]] || continue
    while read -r kind target; do
      [[ -n $target ]] || continue
      [[ -n $(image_entry "/etc/systemd/system/$target.$kind/$unit") ]] || problem units \
        "/etc/systemd/system/$target.$kind/$unit" "$unit is not enabled: it would not run on boot" \
        "systemctl --root=ROOT enable $unit (install-agent does)"
    done < <(image_cat "$unit_dir/$unit" | unit_install_links)
  done
  [[ -z $(image_ls /var/lib/vps-agent | head -1) ]] || problem agent-state /var/lib/vps-agent \
    "agent state from the build machine is left (state.json): instances would start with its enrollment record" \
    "clear it: image-hooks/prepare-capture ROOT"
  [[ -n $(image_entry /etc/vps-agent/config.yaml) ]] || warning agent /etc/vps-agent/config.yaml \
    "no agent config: the agent runs with built-in defaults (fingerprint block on /dev/console)" \
    "install one: image-hooks/install-agent ROOT DEB --config FILE"
  [[ -z $(image_entry /root/.ssh/authorized_keys) ]] || warning access /root/.ssh/authorized_keys \
    "root has authorized_keys baked into the image (test images only; Linode adds the keys chosen at deploy)" \
    "remove /root/.ssh/authorized_keys unless every instance should trust these keys"
}

check_layout_and_content() {
  check_partitions || return 0
  check_filesystem || return 0
  if ! debugfs -R "stats" "$raw" >/dev/null 2>&1; then
    problem filesystem "$image" "debugfs cannot read the filesystem (corrupt superblock?)" "run e2fsck -fn on the raw image to see why"
    return 0
  fi
  check_boot
  check_identity
  check_agent
}
