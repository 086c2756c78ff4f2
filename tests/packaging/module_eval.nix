# Evaluates packaging/nix/module.nix without nixpkgs (CI has none): `lib` and `pkgs` are small
# stand-ins, and `cfg` is given already resolved, as the module system would pass it. Returns
# the option names and the generated config.yaml text (pkgs.writeText returns its text here).
# Used by module_test.cpp: nix-instantiate --eval --strict --arg module <path> module_eval.nix
{ module }:

let
  inherit (builtins) attrNames listToAttrs concatMap isAttrs;
  mapAttrsToList = f: set: map (name: f name set.${name}) (attrNames set);
  lib = rec {
    mkOption = option: option;
    mkEnableOption = description: { inherit description; };
    mkIf = condition: value: value;
    literalExpression = text: text;
    filterAttrs =
      pred: set:
      listToAttrs (
        concatMap (name: if pred name set.${name} then [ { inherit name; value = set.${name}; } ] else [ ]) (attrNames set)
      );
    nameValuePair = name: value: { inherit name value; };
    mapAttrs' = f: set: listToAttrs (mapAttrsToList f set);
    inherit mapAttrsToList;
    optionalAttrs = condition: set: if condition then set else { };
    recursiveUpdate =
      left: right:
      left
      // builtins.mapAttrs (
        name: value: if isAttrs value && isAttrs (left.${name} or null) then recursiveUpdate left.${name} value else value
      ) right;
    types = rec {
      str = "str";
      bool = "bool";
      path = "path";
      package = "package";
      either = a: b: "either";
      nullOr = t: "nullOr";
      enum = values: "enum";
      listOf = t: "listOf";
      attrsOf = t: t; # keeps the submodule reachable
      strMatching = re: "strMatching";
      submodule = f: f;
    };
  };
  pkgs = {
    writeText = name: text: text;
    formats.json = _: { type = "json"; };
    callPackage = _: _: "package";
  };

  file = {
    path = null;
    owner = "app";
    group = "app";
    mode = "0440";
    restartUnits = [ "app.service" ];
    reloadUnits = [ ];
  };
  cfg = {
    enable = true;
    package = "package";
    enrollment = {
      endpoint = "https://enroll.example.org";
      caFile = null;
      requireToken = true;
    };
    defaultSopsFile = "/var/lib/vps-agent/secrets/app.yaml";
    defaultSopsFormat = "auto";
    secrets."db/password" = file // {
      name = "db/password";
      sopsFile = "/var/lib/vps-agent/secrets/app.yaml";
      format = "yaml";
      key = "db/password";
      path = "/etc/app/db-password";
    };
    templates."app.env" = file // {
      name = "app.env";
      content = "DB_PASSWORD={{ secret:db/password }}\n";
      file = null;
    };
    authorizedOperators = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBFjnNj/r2TEhf6ogAg8vUTa7snAvjsfXmm9jFFcjawR alice" ];
    rebuild = {
      command = [ ];
    };
    settings.secrets.fs = "tmpfs";
  };

  evaluated = import module {
    inherit lib pkgs;
    config.services.vps-agent = cfg;
  };
  options = evaluated.options.services.vps-agent;
  secretOptions = (options.secrets.type { name = "x"; config.format = "auto"; }).options;
in
{
  options = attrNames options;
  enrollment = attrNames options.enrollment;
  rebuild = attrNames options.rebuild;
  secret = attrNames secretOptions;
  configYaml = options.configFile.default;
}
