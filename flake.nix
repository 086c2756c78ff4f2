# Nix flake: the vps-agent package, the NixOS module services.vps-agent, and an example Linode
# host built with nixpkgs' image support (NixOS >= 25.05). Files live in packaging/nix/.
#   nix build .#vps-agent
#   nixos-rebuild build-image --flake .#vps --image-variant linode
{
  description = "vps-agent: first-boot host identity, enrollment and ramfs secrets for VPS images";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.05";

  outputs =
    { self, nixpkgs }:
    let
      system = "x86_64-linux";
      pkgs = nixpkgs.legacyPackages.${system};
    in
    {
      packages.${system} = {
        vps-agent = pkgs.callPackage ./packaging/nix/package.nix { };
        default = self.packages.${system}.vps-agent;
      };

      overlays.default = final: _prev: {
        vps-agent = final.callPackage ./packaging/nix/package.nix { };
      };

      # The module falls back to callPackage when pkgs has no vps-agent, so no overlay is needed.
      nixosModules.vps-agent = ./packaging/nix/module.nix;
      nixosModules.default = self.nixosModules.vps-agent;

      nixosConfigurations.vps = nixpkgs.lib.nixosSystem {
        modules = [
          { nixpkgs.hostPlatform = system; }
          self.nixosModules.vps-agent
          ./packaging/nix/hosts/vps.nix
        ];
      };

      checks.${system} = {
        vps-agent = self.packages.${system}.vps-agent;
        vps-toplevel = self.nixosConfigurations.vps.config.system.build.toplevel;
      };
    };
}
