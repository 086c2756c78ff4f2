#pragma once
// Parser of the top-level `authorized_operators:` key (a row in k_sections, sections.cpp):
//
//   authorized_operators:          # authorized_keys lines "ssh-ed25519 <key> <name>" ...
//     - ssh-ed25519 AAAAC3Nza... alice
//   # authorized_operators: /etc/vps-agent/operators   ... or the absolute path of a file of them
//
// The host's trust root: a rebuild request (vps-agent watch) runs, and a secret bundle from the
// endpoint is installed (vps-agent secrets), only when an operator in this list signed it. The
// endpoint has its own list; the host never trusts the endpoint's word for who is an operator.
// Inline lines are checked at load time (formats/openssh/authorized_operators.hpp), so a typo
// fails at startup. The running agent re-reads the list when config.yaml or the file changes
// (host/trust/trusted_operators.hpp): removing a key takes effect with the next request.

#include <string_view>

#include <yaml-cpp/yaml.h>

#include <vps/base/result.hpp>
#include <vps/config/config.hpp>

namespace vps::config {

Status parse_authorized_operators(const YAML::Node& node, std::string_view source, Config& config);

}  // namespace vps::config
