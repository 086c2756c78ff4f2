#include <vps/enroll/client/operator_options.hpp>

#include <vps/base/duration.hpp>

#include <cstdlib>

#include <vps/enroll/client/operator_key.hpp>
#include <vps/net/api/endpoint_client.hpp>
#include <vps/enroll/routes/names.hpp>

namespace vps::enroll::client {

void add_operator_options(CLI::App& command, OperatorOptions& options) {
  command
      .add_option("--key", options.key_file,
                  "Operator's ed25519 key: a private key FILE (passphrase asked when encrypted) or FILE.pub; signed by "
                  "ssh-agent when it holds the key. SHA256:... names a key in the agent (default ~/.ssh/id_ed25519)")
      ->option_text("FILE|SHA256:...");
  command.add_flag("--agent", options.agent,
                   "Sign only through ssh-agent ($SSH_AUTH_SOCK), never with a key file; without --key, the agent's "
                   "only ed25519 key");
  command.add_option("--endpoint", options.endpoint, "Enrollment endpoint URL (default $VPS_ENROLL_ENDPOINT)")
      ->option_text("URL");
  command.add_option("--ca-file", options.ca_file, "CA bundle to verify the endpoint (default: system CAs)")
      ->option_text("FILE");
  command.add_option("--timeout", options.timeout, "How long one request to the endpoint may take (default 30s)")
      ->option_text("DURATION");
  command.add_flag("--json", options.json, "Print JSON for scripts");
}

Result<SignedClient> connect(const OperatorOptions& options) {
  std::string endpoint = options.endpoint;
  if (endpoint.empty()) {
    const char* env = std::getenv("VPS_ENROLL_ENDPOINT");
    if (env) endpoint = env;
  }
  if (endpoint.empty()) return fail(Errc::usage, "no endpoint: pass --endpoint URL or set VPS_ENROLL_ENDPOINT");
  auto url = net::http::parse_url(endpoint);
  if (!url) return fail(Errc::usage, url.error().message);
  net::api::ClientSettings settings;
  if (!options.ca_file.empty()) settings.ca_file = options.ca_file;
  auto timeout = parse_duration(options.timeout, std::chrono::milliseconds(100), std::chrono::hours(1));
  if (!timeout) return fail(Errc::usage, "--timeout: " + timeout.error().message);
  settings.request_timeout = *timeout;
  settings.max_body_bytes = 64 * 1024 * 1024;
  settings.user_agent = "vps-enroll";
  auto http = VPS_TRY(net::api::client_options(*url, settings));
  // Last: every usage error is reported before anyone is asked for a passphrase.
  auto key = VPS_TRY(load_operator_key(KeyChoice{options.key_file, options.agent}));
  return SignedClient(std::move(*url), std::move(key), std::move(http));
}

Result<std::string> host_path(std::string_view host) {
  if (!routes::valid_host_name(host)) {
    return fail(Errc::usage, "invalid host name '" + std::string(host) + "' (expected [a-z0-9][a-z0-9.-]{0,62})");
  }
  return "/v1/hosts/" + std::string(host);
}

}  // namespace vps::enroll::client
