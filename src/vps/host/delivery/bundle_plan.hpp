#pragma once
// Which of this host's bundles on the enrollment endpoint (GET /v1/hosts/{host}/bundles) the
// agent should download, decided from text alone. The mapping an operator sees:
//
//   a bundle named N (`vps-enroll push HOST FILE` stores FILE under its basename) replaces the
//   configured secret source whose file name is N — only while that source is pending (absent
//   or not encrypted to this host), and only if its SHA-256 differs from the file on disk.
//
// A name matching sources in two directories is ambiguous and skipped; a bundle matching no
// source is ignored. The endpoint never overwrites a source the host can already decrypt.

#include <cstdint>
#include <functional>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <vps/base/result.hpp>

namespace vps::host::delivery {

constexpr std::size_t k_max_listing_bytes = 1024 * 1024;
constexpr std::size_t k_max_listing_entries = 1000;

struct BundleEntry {
  std::string name;
  std::string sha256;  // lowercase hex, 64 characters
  std::int64_t size = 0;
  // The operator-signed manifest and its signature, as the endpoint stored them; empty for a
  // bundle uploaded before manifests existed (the host refuses it). Not trusted until verified
  // (bundle_fetcher.hpp).
  std::string manifest;
  std::string signature;
};

// Strict: a JSON object with "bundles": [{"name", "sha256", "size", "manifest", "signature"}...]
// (other keys ignored); names as protocol::valid_bundle_name; Errc::malformed otherwise.
Result<std::vector<BundleEntry>> parse_listing(std::string_view body);


struct Download {
  BundleEntry entry;
  std::filesystem::path target;  // the source file it replaces
};

struct Plan {
  std::vector<Download> downloads;
  std::vector<std::string> skipped;  // human-readable: ambiguous names
};

// on_disk_sha256(path) returns the hex SHA-256 of the file, or "" when it does not exist.
Plan plan_downloads(const std::vector<BundleEntry>& listing, const std::vector<std::filesystem::path>& all_sources,
                    const std::vector<std::filesystem::path>& pending_sources,
                    const std::function<std::string(const std::filesystem::path&)>& on_disk_sha256);

}  // namespace vps::host::delivery
