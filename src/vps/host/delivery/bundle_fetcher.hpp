#pragma once
// Delivery through the enrollment endpoint: while a secret source is pending, fetch this host's
// bundles (re-encrypted files an operator uploaded with `vps-enroll push`) with requests signed
// by the host key, and install each one over the source it maps to (bundle_plan.hpp).
//
// The endpoint is not trusted (DESIGN.md: a compromised endpoint must not plant or roll back a
// secret). Before a single byte of a bundle is downloaded or parsed, its manifest
// (protocol/bundle_manifest.hpp) must be signed by an operator in THIS host's
// authorized_operators (as configured now: host/trust/trusted_operators.hpp), name this host,
// its host key and the bundle's name, and carry a sequence above the last one installed under
// that name (bundle_sequences.hpp) and within the clock bound. Then the downloaded bytes must
// have the manifest's exact size and SHA-256, look like age or sops ciphertext, and decrypt in
// memory with this host's identities (MAC and tags checked; the plaintext is wiped at once).
// Only then is the file written (atomically, ciphertext only) and its sequence recorded. A
// bundle whose bytes were refused is remembered by hash and not downloaded again; a manifest
// refused for its signer is checked again each round (the operator list may change).
//
// Bounded: every request has the enrollment.retry.attempt_timeout deadline and a size limit;
// rounds that install nothing back off (enrollment.retry.initial_delay doubling up to
// max_delay but at most 30 s, with jitter). "Not approved yet" (401/403) and an unreachable endpoint are
// waiting states for the caller to report, not errors.

#include <chrono>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <vps/base/result.hpp>
#include <vps/config/config.hpp>
#include <vps/formats/age/age.hpp>
#include <vps/host/delivery/bundle_plan.hpp>
#include <vps/host/delivery/bundle_sequences.hpp>
#include <vps/host/delivery/sources.hpp>
#include <vps/host/trust/trusted_operators.hpp>
#include <vps/net/api/signed_client.hpp>
#include <vps/net/http/backoff.hpp>
#include <vps/net/http/retry_schedule.hpp>
#include <vps/protocol/bundle_manifest.hpp>
#include <vps/protocol/secrets_report.hpp>

namespace vps::host::delivery {

constexpr std::size_t k_max_bundle_bytes = 16 * 1024 * 1024;

// The endpoint the host talks to: enrollment.endpoint, else the one `publish` recorded in
// state.json (it may have come from the instance's user-data); "" when neither exists.
std::string configured_endpoint(const config::Config& config);

// One line the endpoint's report parser accepts: control characters blanked, at most ~1 KiB.
std::string report_text(std::string_view text);

enum class EndpointState { reachable, not_approved, unavailable };

struct FetchReport {
  EndpointState state = EndpointState::reachable;
  std::string detail;                              // the endpoint's reason when not reachable/approved
  std::vector<std::filesystem::path> installed;    // sources replaced this round
  std::vector<std::string> refused;                // one line per bundle refused this round
  std::vector<std::string> notes;                  // ambiguous names and the like
  std::vector<std::string> held_back;              // names of bundles refused in an earlier round, unchanged
  std::vector<protocol::BundleReport> outcomes;    // installed and refused this round, for the endpoint
  std::string status() const;                      // short, for STATUS=
};

class BundleFetcher {
 public:
  // nullopt when no endpoint is configured (enrollment.endpoint, else the one `publish`
  // recorded in state.json). Errc::config for a URL the HTTP policy refuses (plain http to a
  // remote host without allow_insecure_http), the host key loader's error if it is unreadable.
  // root and config_path are where `config` came from (the operator list is re-read there).
  static Result<std::optional<BundleFetcher>> open(const config::Config& config, const std::filesystem::path& root,
                                                   const std::string& config_path);

  // How long until the next round may run (zero: now).
  std::chrono::milliseconds until_due() const;

  // One round, whatever until_due() says (the caller decides when).
  FetchReport fetch(const config::Secrets& secrets, const std::vector<Pending>& pending,
                    const std::vector<const formats::age::Identity*>& identities);

  // POST /v1/hosts/{host}/secrets/report: what the host has active, what it waits for, and what
  // it did with each bundle (the operator sees it in `vps-enroll show`). One bounded request.
  Status report(const protocol::SecretsReport& report);

  const std::string& host_name() const { return m_host; }
  const std::string& endpoint() const { return m_endpoint_text; }

 private:
  BundleFetcher(net::api::SignedClient client, std::filesystem::path root, std::string endpoint,
                net::http::BackoffPolicy policy, trust::TrustedOperators operators, std::filesystem::path sequences);
  void schedule_next(bool progressed);
  // The entry's manifest, verified as the header says; the error is the refusal reason.
  Result<protocol::BundleManifest> verify_manifest(const BundleEntry& entry, const trust::Operators& operators,
                                                   const BundleSequences& sequences) const;
  Result<std::string> download(const protocol::BundleManifest& manifest, FetchReport& report);

  net::api::SignedClient m_client;
  trust::TrustedOperators m_operators;
  std::filesystem::path m_sequences_file;
  std::filesystem::path m_root;
  std::string m_host;  // re-read every round (see fetch)
  std::string m_endpoint_text;
  net::http::PollSchedule m_schedule;  // idle rounds back off, progress starts over
  std::chrono::steady_clock::time_point m_next_round{};
  std::set<std::string> m_refused;  // sha256 of bundles that failed verification
};

}  // namespace vps::host::delivery
