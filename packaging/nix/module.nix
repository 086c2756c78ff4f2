# NixOS module: services.vps-agent. Writes /etc/vps-agent/config.yaml (JSON, which is YAML) and
# enables the package's own unit files (units/ in the repository, via systemd.packages), so a
# NixOS host behaves like a Debian host that installed the .deb.
#
# Secret options follow sops-nix (sops.secrets.<name>.{sopsFile,key,path,owner,group,mode,
# restartUnits,reloadUnits,format}, sops.defaultSopsFile, sops.templates), so a sops-nix
# configuration moves over by renaming `sops` to `services.vps-agent`. The difference: secrets
# are decrypted with the host's own ed25519 SSH key (made at first boot by vps-agent firstboot)
# into /run/vps-secrets/<name>, and only once an operator has enrolled the host.
{
  config,
  lib,
  pkgs,
  ...
}:

let
  inherit (lib)
    mkOption
    mkEnableOption
    mkIf
    types
    literalExpression
    ;
  cfg = config.services.vps-agent;

  secretFormats = [
    "auto"
    "yaml"
    "json"
    "dotenv"
    "ini"
    "binary"
    "age"
  ];

  # A Nix path is copied to the store (encrypted files are safe there, as with sops-nix); a
  # string is an absolute path on the host, e.g. a file the operator replaces after a rekey.
  sourceType = types.either types.path types.str;

  commonFileOptions = {
    path = mkOption {
      type = types.nullOr types.str;
      default = null;
      example = "/etc/app/db-password";
      description = "Extra symlink to the secret; it always lives under /run/vps-secrets/.";
    };
    owner = mkOption {
      type = types.str;
      default = "root";
      description = "User (name or numeric id) owning the decrypted file.";
    };
    group = mkOption {
      type = types.str;
      default = "root";
      description = "Group (name or numeric id) of the decrypted file.";
    };
    mode = mkOption {
      type = types.strMatching "0?[0-7]{3,4}";
      default = "0400";
      description = "Octal permissions of the decrypted file.";
    };
    restartUnits = mkOption {
      type = types.listOf types.str;
      default = [ ];
      example = [ "app.service" ];
      description = "Units restarted when this secret's bytes change; they start only once their secrets are active.";
    };
    reloadUnits = mkOption {
      type = types.listOf types.str;
      default = [ ];
      description = "Units reloaded when this secret's bytes change.";
    };
  };

  secretType = types.submodule (
    { name, config, ... }:
    {
      options = commonFileOptions // {
        name = mkOption {
          type = types.str;
          default = name;
          description = "File name under /run/vps-secrets (may contain `/`).";
        };
        sopsFile = mkOption {
          type = types.nullOr sourceType;
          default = cfg.defaultSopsFile;
          defaultText = literalExpression "config.services.vps-agent.defaultSopsFile";
          description = "The sops (or age) encrypted file holding this secret.";
        };
        format = mkOption {
          type = types.enum secretFormats;
          default = cfg.defaultSopsFormat;
          defaultText = literalExpression "config.services.vps-agent.defaultSopsFormat";
          description = "Format of sopsFile; `auto` decides by extension (.age, .yaml, .json, .env, .ini, else binary).";
        };
        key = mkOption {
          type = types.str;
          default = if builtins.elem config.format [ "binary" "age" ] then "" else name;
          defaultText = literalExpression ''"<name>" (or "" for binary and age files)'';
          description = "Path of the value inside a sops file, `a/b/c`; empty: the whole file.";
        };
      };
    }
  );

  templateType = types.submodule (
    { name, ... }:
    {
      options = commonFileOptions // {
        name = mkOption {
          type = types.str;
          default = name;
          description = "File name under /run/vps-secrets/rendered/.";
        };
        content = mkOption {
          type = types.str;
          default = "";
          example = "DB_PASSWORD={{ secret:db/password }}\n";
          description = "Template text; `{{ secret:<name> }}` is replaced by that secret.";
        };
        file = mkOption {
          type = types.nullOr sourceType;
          default = null;
          description = "Read the template from this file instead of `content`.";
        };
      };
    }
  );

  dropNulls = lib.filterAttrs (_: value: value != null);

  fileEntry = f: {
    inherit (f) owner group mode;
    restart_units = f.restartUnits;
    reload_units = f.reloadUnits;
  } // dropNulls { inherit (f) path; };

  secretEntry = s: fileEntry s // {
    source = s.sopsFile;
    inherit (s) format key;
  };

  templateEntry = t: fileEntry t // (if t.file != null then { inherit (t) file; } else { inherit (t) content; });

  byName = entry: attrs: lib.mapAttrs' (_: v: lib.nameValuePair v.name (entry v)) attrs;

  rebuildEnabled = cfg.rebuild.command != [ ];

  settings = lib.recursiveUpdate (
    {
      # The agent rejects an empty endpoint: leave the key out instead.
      enrollment = dropNulls {
        endpoint = if cfg.enrollment.endpoint == "" then null else cfg.enrollment.endpoint;
        ca_file = cfg.enrollment.caFile;
        require_token = cfg.enrollment.requireToken;
      };
      secrets = {
        files = byName secretEntry cfg.secrets;
        templates = byName templateEntry cfg.templates;
      };
    }
    // lib.optionalAttrs (cfg.authorizedOperators != [ ]) {
      authorized_operators = cfg.authorizedOperators;
    }
    // lib.optionalAttrs rebuildEnabled {
      rebuild = {
        inherit (cfg.rebuild) command;
      };
    }
  ) cfg.settings;

  # JSON is YAML: the agent's strict YAML parser reads it as is.
  configFile = pkgs.writeText "vps-agent-config.yaml" (builtins.toJSON settings);
in
{
  options.services.vps-agent = {
    enable = mkEnableOption "vps-agent: first-boot host key, enrollment and ramfs secrets";

    package = mkOption {
      type = types.package;
      default = pkgs.vps-agent or (pkgs.callPackage ./package.nix { });
      defaultText = literalExpression "pkgs.vps-agent or (pkgs.callPackage ./package.nix { })";
      description = "The vps-agent package.";
    };

    enrollment = {
      endpoint = mkOption {
        type = types.str;
        default = "";
        example = "https://enroll.example.org";
        description = "Enrollment endpoint (`vps-enroll serve`); empty: from Linode user-data, else not configured.";
      };
      caFile = mkOption {
        type = types.nullOr sourceType;
        default = null;
        description = "CA certificate for the endpoint; null: the system trust store.";
      };
      requireToken = mkOption {
        type = types.bool;
        default = false;
        description = "Refuse to publish without a one-time enrollment token (from user-data).";
      };
    };

    defaultSopsFile = mkOption {
      type = types.nullOr sourceType;
      default = null;
      example = literalExpression "./secrets/vps.yaml";
      description = "sops file used by every secret that does not set `sopsFile`.";
    };

    defaultSopsFormat = mkOption {
      type = types.enum secretFormats;
      default = "auto";
      description = "Format used by every secret that does not set `format`.";
    };

    secrets = mkOption {
      type = types.attrsOf secretType;
      default = { };
      example = literalExpression ''
        {
          "db/password" = {
            owner = "app";
            restartUnits = [ "app.service" ];
          };
        }
      '';
      description = "Secrets decrypted to /run/vps-secrets/<name> (sops-nix's sops.secrets).";
    };

    templates = mkOption {
      type = types.attrsOf templateType;
      default = { };
      description = "Files rendered from secrets to /run/vps-secrets/rendered/<name> (sops-nix's sops.templates).";
    };

    authorizedOperators = mkOption {
      type = types.listOf types.str;
      default = [ ];
      example = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... alice" ];
      description = ''
        Operator keys (authorized_keys lines "ssh-ed25519 AAAA... name"): the host's one trust
        root. It runs a rebuild request, and installs a secret bundle pushed through the
        endpoint, only when one of these operators signed it (the endpoint's own list is not
        trusted). Re-read by the running agent when it changes.
      '';
    };

    rebuild = {
      command = mkOption {
        type = types.listOf types.str;
        default = [ ];
        example = [
          "/run/current-system/sw/bin/nixos-rebuild"
          "switch"
          "--flake"
          "github:example/infra/{revision}#vps"
        ];
        description = ''
          argv of the rebuild (never a shell string); `{revision}` is replaced by the request's
          revision. Non-empty enables vps-agent-watch.service.
        '';
      };
    };

    settings = mkOption {
      type = (pkgs.formats.json { }).type;
      default = { };
      example = {
        identity.on_corrupt_key = "fail";
        secrets.fs = "tmpfs";
      };
      description = "Further config.yaml keys (see the README's configuration reference), merged last.";
    };

    configFile = mkOption {
      type = types.path;
      readOnly = true;
      default = configFile;
      defaultText = literalExpression "the generated config.yaml";
      description = "The generated /etc/vps-agent/config.yaml.";
    };
  };

  config = mkIf cfg.enable {
    assertions = lib.mapAttrsToList (name: s: {
      assertion = s.sopsFile != null;
      message = "services.vps-agent.secrets.\"${name}\".sopsFile is not set and there is no defaultSopsFile";
    }) cfg.secrets ++ [
      {
        assertion = !rebuildEnabled || (cfg.authorizedOperators != [ ] && cfg.enrollment.endpoint != "");
        message = "services.vps-agent.rebuild.command needs authorizedOperators and enrollment.endpoint";
      }
    ];

    environment.systemPackages = [ cfg.package ];
    environment.etc."vps-agent/config.yaml".source = configFile;

    # The unit files of the package (ExecStart already points into the store, see package.nix);
    # NixOS ignores [Install], so the wanted-by links are declared here.
    systemd.packages = [ cfg.package ];
    systemd.generators.vps-agent-generator = "${cfg.package}/lib/systemd/system-generators/vps-agent-generator";

    systemd.services.vps-agent-firstboot = {
      wantedBy = [ "sysinit.target" ];
      restartIfChanged = false; # identity is made at boot, not at switch
    };
    systemd.services.vps-agent-publish.wantedBy = [ "multi-user.target" ];
    systemd.services.vps-secrets = {
      wantedBy = [ "multi-user.target" ];
      # A switch with new secrets or config makes the running service re-read everything
      # (ExecReload sends SIGHUP), never a restart that would stop the units depending on it.
      restartIfChanged = false;
      reloadTriggers = [ configFile ];
    };
    systemd.services.vps-secrets-wait.requiredBy = [ "vps-secrets.target" ];
    systemd.targets.vps-secrets.wantedBy = [ "multi-user.target" ];
    systemd.services.vps-agent-watch = mkIf rebuildEnabled {
      wantedBy = [ "multi-user.target" ];
      restartIfChanged = false; # the rebuild it runs must not kill it mid-switch
    };
  };
}
