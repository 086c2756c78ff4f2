#pragma once
// Options every operator subcommand shares (--key, --agent, --endpoint, --ca-file, --json) and
// the client they configure. The endpoint comes from --endpoint or $VPS_ENROLL_ENDPOINT; the
// signing key from ssh-agent or a key file as operator_key.hpp decides.

#include <filesystem>
#include <string>

#include <CLI/CLI.hpp>

#include <vps/net/api/signed_client.hpp>

namespace vps::enroll::client {

using net::api::response_error;
using net::api::SignedClient;
using net::api::SigningKey;

struct OperatorOptions {
  std::string key_file;   // FILE, FILE.pub or SHA256:... (operator_key.hpp); default ~/.ssh/id_ed25519
  bool agent = false;     // sign only through ssh-agent
  std::string endpoint;   // default $VPS_ENROLL_ENDPOINT
  std::string ca_file;    // default: system trust store
  bool json = false;
  std::string timeout = "30s";  // each request to the endpoint (base/duration.hpp)
};

void add_operator_options(CLI::App& command, OperatorOptions& options);

// Errc::usage when no endpoint is given; key errors as load_operator_key reports them.
Result<SignedClient> connect(const OperatorOptions& options);

// "/v1/hosts/" + name, after checking the name (Errc::usage otherwise), so the CLI never
// sends a path the server would read differently.
Result<std::string> host_path(std::string_view host);

}  // namespace vps::enroll::client
