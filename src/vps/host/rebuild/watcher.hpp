#pragma once
// `vps-agent watch`: long-polls the enrollment endpoint for this host's rebuild requests with
// requests signed by the host key, and runs the configured command for each one that passes
// the host's OWN checks (the endpoint's checks are not trusted):
//
//   1. the operator signature verifies and its key is in the host's authorized_operators, as
//      configured at this moment (host/trust/trusted_operators.hpp: re-read when changed);
//   2. the request is addressed to this host: its name and its host key's fingerprint;
//   3. its sequence is above the last one this host accepted (replay guard, sequence_file.hpp)
//      and at most 24 h ahead of this host's clock (protocol/operator_sequence.hpp);
//   4. it has not expired; its revision is in the strict grammar (checked by the parser).
//
// A request failing any check is reported back as failed with the reason, and nothing runs.
// One rebuild at a time: the next poll starts only after the result was reported. An
// unreachable endpoint or a host not approved yet means backoff and retry, never an exit.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <vps/base/result.hpp>
#include <vps/config/config.hpp>
#include <vps/host/trust/trusted_operators.hpp>
#include <vps/net/api/signed_client.hpp>
#include <vps/net/http/backoff.hpp>
#include <vps/protocol/rebuild_report.hpp>

namespace vps::host::rebuild {

inline constexpr std::size_t k_output_tail_bytes = protocol::k_max_output_tail;

struct WatchLimits {
  unsigned max_requests = 0;              // exit after handling this many requests (0: never)
  std::chrono::milliseconds max_time{0};  // exit after this long (0: never)
};

// What happened to one request, for logs and tests.
struct Handled {
  std::int64_t id = 0;
  bool ran = false;
  bool succeeded = false;
  std::string summary;
};

class Watcher {
 public:
  // Errc::config when rebuild: or the endpoint is not configured, or the operator list is
  // unusable; the host key loader's error when the key is unreadable. root and config_path
  // are where `config` was loaded from (the operator list is re-read from there).
  static Result<Watcher> open(const config::Config& config, const std::filesystem::path& root,
                              const std::string& config_path);

  // Runs until the limits are reached. `status` receives one line per state change (for
  // STATUS= and the journal).
  Status run(const WatchLimits& limits, const std::function<void(const std::string&)>& status);

  const std::string& host() const { return m_host; }
  const std::string& endpoint() const { return m_endpoint; }

 private:
  Watcher(net::api::SignedClient client, std::string host, std::string endpoint, config::Rebuild rebuild,
          trust::TrustedOperators operators, std::filesystem::path state_file, net::http::BackoffPolicy retry);

  // One long poll: nullopt when nothing came (204), the offered request otherwise.
  Result<std::optional<protocol::RebuildOffer>> poll();
  Handled handle(const protocol::RebuildOffer& offer);
  // Checks 1-4 above; the error is the reason reported back.
  Result<std::pair<std::string, std::int64_t>> accept(const protocol::RebuildOffer& offer);
  void report(std::int64_t id, const protocol::RebuildReport& report);

  net::api::SignedClient m_client;
  std::string m_host;
  std::string m_endpoint;
  config::Rebuild m_rebuild;
  trust::TrustedOperators m_operators;
  std::filesystem::path m_state_file;
  net::http::BackoffPolicy m_backoff;  // enrollment.retry: the poll loop's and the reports' backoff
  std::function<void(const std::string&)> m_status;
};

}  // namespace vps::host::rebuild
