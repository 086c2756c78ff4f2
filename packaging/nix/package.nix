# vps-agent built with nixpkgs' CMake support; every dependency is the nixpkgs equivalent of a
# Debian 12 build dependency (scripts/deps.sh). Used by ../../flake.nix and module.nix.
{
  lib,
  stdenv,
  cmake,
  pkg-config,
  libsodium,
  openssl,
  boost,
  yaml-cpp,
  systemd,
  sqlite,
  zlib,
  nlohmann_json,
  cli11,
  tl-expected,
  libssh,
  libbsd,
  doctest,
  # The test suite needs root, network namespaces and the reference tools (age, sshd), which
  # the Nix build sandbox does not offer; .ci/run runs it on Debian instead.
  doCheck ? false,
}:

stdenv.mkDerivation {
  pname = "vps-agent";
  version = "0.1.0"; # keep equal to project(VERSION) in CMakeLists.txt

  # The repository without VCS data and local build trees (build*/).
  src = lib.cleanSourceWith {
    src = lib.cleanSource ../..;
    filter = path: type: !(type == "directory" && lib.hasPrefix "build" (baseNameOf path));
  };

  nativeBuildInputs = [
    cmake
    pkg-config
  ];
  buildInputs = [
    libsodium
    openssl
    boost
    yaml-cpp
    systemd
    sqlite
    zlib
    nlohmann_json
    cli11
    tl-expected
    libssh # operator keys: passphrase-protected OpenSSH keys (vps-enroll only)
    libbsd # operator keys: readpassphrase(3)
  ];
  checkInputs = [ doctest ];

  cmakeFlags = [ (lib.cmakeBool "VPS_TESTS" doCheck) ];
  inherit doCheck;

  # The unit files name /usr/bin (Debian's layout); on NixOS the binaries live in $out/bin.
  postInstall = ''
    for unit in $out/lib/systemd/system/*; do
      substituteInPlace "$unit" --replace-quiet /usr/bin/ "$out/bin/"
    done
  '';

  meta = {
    description = "First-boot host identity, enrollment and ramfs secrets for VPS images";
    longDescription = ''
      vps-agent gives every instance made from one shared image its own ed25519 SSH host key
      (and the age identity derived from it), publishes it to an enrollment endpoint, and
      decrypts sops/age secrets into ramfs once an operator has enrolled the host.
      vps-enroll is the enrollment endpoint and operator tool.
    '';
    platforms = lib.platforms.linux;
    mainProgram = "vps-agent";
  };
}
