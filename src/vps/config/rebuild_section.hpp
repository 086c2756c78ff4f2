#pragma once
// Parser of the `rebuild:` section (a row in k_sections, sections.cpp), for `vps-agent watch`:
//
//   rebuild:
//     command: [/run/current-system/sw/bin/nixos-rebuild, switch, --flake, "/etc/nixos#vps", "--override-input", "rev", "{revision}"]
//     timeout: 1h                    # the command is killed (and the rebuild failed) after this
//     poll_wait: 25s                 # long-poll wait per request to the endpoint (1s-60s)
//     state_file: /var/lib/vps-agent/rebuild-sequence   # default: <state_dir>/rebuild-sequence
//
// `command` is an argv list, never a shell string: "{revision}" is replaced inside arguments
// by the (strictly validated) revision of the request, nothing else comes from the request.
// The endpoint and CA come from `enrollment:`; who may ask for a rebuild from the top-level
// `authorized_operators:` (operators_section.hpp), which also decides which secret bundles the
// host installs. `rebuild.authorized_operators` (before 0.2) is refused with a pointer there.

#include <string_view>

#include <yaml-cpp/yaml.h>

#include <vps/base/result.hpp>
#include <vps/config/config.hpp>

namespace vps::config {

Status parse_rebuild(const YAML::Node& node, std::string_view source, Config& config);

}  // namespace vps::config
