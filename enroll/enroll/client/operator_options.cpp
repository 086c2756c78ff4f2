#include <enroll/client/operator_options.hpp>

#include <cstdlib>

#include <enroll/routes/names.hpp>

namespace vps::enroll::client {

void add_operator_options(CLI::App& command, OperatorOptions& options) {
  command.add_option("--key", options.key_file, "Operator's OpenSSH ed25519 private key (default ~/.ssh/id_ed25519)")
      ->option_text("FILE");
  command.add_option("--endpoint", options.endpoint, "Enrollment endpoint URL (default $VPS_ENROLL_ENDPOINT)")
      ->option_text("URL");
  command.add_option("--ca-file", options.ca_file, "CA bundle to verify the endpoint (default: system CAs)")
      ->option_text("FILE");
  command.add_option("--timeout", options.timeout_seconds, "Seconds before giving up on the endpoint")
      ->option_text("SECONDS");
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
  std::filesystem::path key_file = options.key_file;
  if (key_file.empty()) {
    const char* home = std::getenv("HOME");
    if (!home || !*home) return fail(Errc::usage, "no --key given and $HOME is not set");
    key_file = std::filesystem::path(home) / ".ssh" / "id_ed25519";
  }
  auto key = VPS_TRY(load_signing_key(key_file));
  net::http::ClientOptions http;
  if (!options.ca_file.empty()) http.ca_file = options.ca_file;
  if (options.timeout_seconds <= 0 || options.timeout_seconds > 3600) {
    return fail(Errc::usage, "--timeout must be between 0 and 3600 seconds");
  }
  const auto timeout = std::chrono::milliseconds(static_cast<std::int64_t>(options.timeout_seconds * 1000));
  http.total_timeout = timeout;
  http.connect_timeout = std::min(http.connect_timeout, timeout);
  http.io_timeout = std::min(http.io_timeout, timeout);
  http.max_body_bytes = 64 * 1024 * 1024;
  http.user_agent = "vps-enroll";
  return SignedClient(std::move(*url), std::move(key), std::move(http));
}

Result<std::string> host_path(std::string_view host) {
  if (!routes::valid_host_name(host)) {
    return fail(Errc::usage, "invalid host name '" + std::string(host) + "' (expected [a-z0-9][a-z0-9.-]{0,62})");
  }
  return "/v1/hosts/" + std::string(host);
}

}  // namespace vps::enroll::client
