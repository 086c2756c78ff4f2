#pragma once
// A host's report of its secrets to the endpoint (POST /v1/hosts/{host}/secrets/report, signed
// by the host key): the generation it has active, the secrets still pending and why, and what
// it did with each bundle it fetched (installed, or refused with the reason). The operator sees
// the latest one in `vps-enroll show`, so a bad push is visible without logging in.
//
// The JSON form, strict both ways (the endpoint parses what a host sends; the agent builds it
// with serialize_secrets_report):
//   {"generation": <uint64 or null>, "updated_at": <unix seconds>,
//    "pending": [{"secret": "...", "source": "...", "reason": "..."}],
//    "bundles": [{"name": "...", "sha256": "<64 lowercase hex>", "sequence": <int >= 0>,
//                 "outcome": "installed" | "refused", "detail": "..."}]}
// Every field is required except a bundle's "detail" (default ""). Unknown or duplicate keys,
// strings over 1 KiB or with control characters, arrays over 1024 items and documents over
// 64 KiB are refused (Errc::malformed).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <vps/base/result.hpp>

namespace vps::protocol {

inline constexpr std::size_t k_max_secrets_report_bytes = 64 * 1024;
inline constexpr std::size_t k_max_secrets_report_string = 1024;
inline constexpr std::size_t k_max_secrets_report_items = 1024;

struct PendingSecret {
  std::string secret;  // the secret's name
  std::string source;  // the file it comes from
  std::string reason;  // why it is not active
  bool operator==(const PendingSecret&) const = default;
};

enum class BundleOutcome { installed, refused };
std::string_view to_string(BundleOutcome outcome);

struct BundleReport {
  std::string name;
  std::string sha256;  // 64 lowercase hex
  std::int64_t sequence = 0;
  BundleOutcome outcome = BundleOutcome::installed;
  std::string detail;
  bool operator==(const BundleReport&) const = default;
};

struct SecretsReport {
  std::optional<std::uint64_t> generation;  // none active yet: null
  std::int64_t updated_at = 0;
  std::vector<PendingSecret> pending;
  std::vector<BundleReport> bundles;
  bool operator==(const SecretsReport&) const = default;
};

Result<SecretsReport> parse_secrets_report(std::string_view text);
// Compact JSON with keys in a fixed order; parse_secrets_report gives back an equal report.
// Errc::malformed when the report breaks a bound parse would refuse (so nothing unparsable is sent).
Result<std::string> serialize_secrets_report(const SecretsReport& report);

}  // namespace vps::protocol
