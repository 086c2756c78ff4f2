#!/bin/bash
# Installs (as root, with apt-get) every Debian 12 package vps-agent needs to build and test.
# Only missing packages are installed, so re-runs are fast and work offline.
set -euo pipefail

packages=(
  build-essential cmake pkg-config clang libclang-rt-14-dev lld
  libsodium-dev libssl-dev libboost-dev libboost-system-dev libyaml-cpp-dev libsystemd-dev
  libsqlite3-dev zlib1g-dev doctest-dev nlohmann-json3-dev libcli11-dev libexpected-dev
  libssh-dev libbsd-dev
  # test peers: the reference tools we must interoperate with
  age openssh-client openssh-server systemd util-linux iproute2 procps
  # packaging: .deb Depends via dpkg-shlibdeps; `nix-instantiate --parse` on packaging/nix
  dpkg-dev nix-bin lintian
  # image build and VM test (image-hooks/, tests/image, tests/vm)
  debootstrap e2fsprogs qemu-system-x86 dosfstools fdisk xz-utils jq shellcheck
)
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  [[ "$p" == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) != 0 ]]; then
    echo "deps: missing packages: ${missing[*]} (run as root to install them)" >&2
    exit 1
  fi
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
