#pragma once
// What publish needs to know about the instance, from the best available source:
// the metadata service (instance id, user-data enrollment hints) or, when it cannot be
// reached, DMI's system serial number (Linode puts the instance id there) and no token.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include <vps/base/result.hpp>
#include <vps/net/metadata/metadata_client.hpp>

namespace vps::net::metadata {

struct DiscoveryOptions {
  bool metadata_enabled = true;
  MetadataOptions metadata;
  std::filesystem::path dmi_path;  // already under --root
  bool require_token = false;
};

struct InstanceFacts {
  std::string instance_id;
  std::optional<std::string> token;     // from user-data
  std::optional<std::string> endpoint;  // from user-data
  std::string source;                   // "metadata" or "dmi"
};

// Falls back to DMI when the service is unreachable or answers with an error, reporting why
// through `warn`. With require_token, a fallback (no user-data) is Errc::retry (the service may
// come back), and reachable user-data without a token is Errc::config.
Result<InstanceFacts> discover(const DiscoveryOptions& options, const std::function<void(const std::string&)>& warn);

// DMI serial: first line, trimmed; Errc::missing/malformed when absent, empty, or odd.
Result<std::string> read_dmi_serial(const std::filesystem::path& path);

}  // namespace vps::net::metadata
