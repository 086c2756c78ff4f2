#pragma once
// Parser of the `rebuild:` section (a row in k_sections, sections.cpp), for `vps-agent watch`:
//
//   rebuild:
//     authorized_operators:          # authorized_keys lines "ssh-ed25519 <key> <name>" ...
//       - ssh-ed25519 AAAAC3Nza... alice
//     # authorized_operators: /etc/vps-agent/operators   ... or a file of such lines
//     command: [/run/current-system/sw/bin/nixos-rebuild, switch, --flake, "/etc/nixos#vps", "--override-input", "rev", "{revision}"]
//     timeout: 1h                    # the command is killed (and the rebuild failed) after this
//     poll_wait: 25s                 # long-poll wait per request to the endpoint (1s-60s)
//     state_file: /var/lib/vps-agent/rebuild-sequence   # default: <state_dir>/rebuild-sequence
//
// `command` is an argv list, never a shell string: "{revision}" is replaced inside arguments
// by the (strictly validated) revision of the request, nothing else comes from the request.
// The endpoint and CA come from `enrollment:`.

#include <string_view>

#include <yaml-cpp/yaml.h>

#include <vps/base/result.hpp>
#include <vps/config/config.hpp>

namespace vps::config {

Status parse_rebuild(const YAML::Node& node, std::string_view source, Config& config);

}  // namespace vps::config
