# The shape of ../../flake.nix without fetching nixpkgs: outputs are evaluated against stand-in
# inputs and only attribute names are forced. Used by nix_test.cpp:
#   nix-instantiate --eval --strict --json --arg flake <path> flake_eval.nix
{ flake }:

let
  imported = import flake;
  outputs = imported.outputs {
    self = outputs;
    nixpkgs = { };
  };
in
{
  nixpkgs = imported.inputs.nixpkgs.url;
  outputs = builtins.attrNames outputs;
  packages = builtins.attrNames outputs.packages.x86_64-linux;
  modules = builtins.attrNames outputs.nixosModules;
  hosts = builtins.attrNames outputs.nixosConfigurations;
  moduleExists = builtins.pathExists outputs.nixosModules.vps-agent;
}
