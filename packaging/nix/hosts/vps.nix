# Example host `vps` (nixosConfigurations.vps in ../../../flake.nix): a Linode instance whose
# image is built by nixpkgs' own image support, without nixos-generators:
#   nixos-rebuild build-image --flake .#vps --image-variant linode
#   nix build .#nixosConfigurations.vps.config.system.build.images.linode
# Either writes result/nixos-image-*.img.gz: raw, unpartitioned ext4, gzip, GRUB with
# console=ttyS0,19200n8 (Linode's "GRUB 2" boot setting and Lish).
{ modulesPath, pkgs, ... }:

{
  # Linode's hardware, network (DHCP on eth0), serial console and GRUB setup for the running
  # system too, not only in the image variant, so a later `nixos-rebuild switch` keeps them.
  imports = [ "${modulesPath}/virtualisation/linode-config.nix" ];

  networking.hostName = "vps";
  system.stateVersion = "25.05";

  # Options for the image variant only (image.modules.linode adds to nixpkgs' linode module).
  image.modules.linode = {
    virtualisation.linodeImage.compressionLevel = 9;
  };

  services.vps-agent = {
    enable = true;
    enrollment.endpoint = "https://enroll.example.org";
    # A host path: the operator copies the file re-encrypted for this host there (vps-enroll
    # rekey), or pushes it through the endpoint. A Nix path (./secrets/vps.yaml) would be
    # copied to the store and updated by the next rebuild instead, as with sops-nix.
    defaultSopsFile = "/var/lib/vps-agent/secrets/app.yaml";
    secrets."db/password" = {
      owner = "app";
      restartUnits = [ "app.service" ];
    };
    templates."app.env" = {
      content = "DB_PASSWORD={{ secret:db/password }}\n";
      owner = "app";
    };
    # Remote rebuilds (vps-enroll rebuild): set both to enable vps-agent-watch.service.
    # authorizedOperators = [ "ssh-ed25519 AAAA... alice" ];   # whose pushes and rebuilds it accepts
    # rebuild.command = [ "/run/current-system/sw/bin/nixos-rebuild" "switch" "--flake" "github:example/infra/{revision}#vps" ];
  };

  # A demo service that needs the secret: it starts only once vps-secrets.target is reached
  # (the agent's generator adds the ordering for every unit named in restartUnits).
  users.users.app = {
    isSystemUser = true;
    group = "app";
  };
  users.groups.app = { };
  systemd.services.app = {
    wantedBy = [ "multi-user.target" ];
    requires = [ "vps-secrets.target" ];
    after = [ "vps-secrets.target" ];
    serviceConfig = {
      User = "app";
      EnvironmentFile = "/run/vps-secrets/rendered/app.env";
      ExecStart = "${pkgs.coreutils}/bin/sleep infinity";
    };
  };

  # Operators log in with their keys; host keys are made by vps-agent firstboot, never baked in.
  users.users.root.openssh.authorizedKeys.keys = [
    # "ssh-ed25519 AAAA... operator"
  ];
}
