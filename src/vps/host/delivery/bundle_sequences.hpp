#pragma once
// The host's rollback guard for secret bundles: for each bundle name, the sequence of the
// operator-signed manifest it last installed (protocol/bundle_manifest.hpp). A bundle is
// installed only with a sequence above it, so a compromised endpoint can neither replay an old
// bundle nor roll a host back to a previous secret. Kept in <state_dir>/bundle-sequences.json
// as {"<name>": <sequence>, ...}, written atomically after each install.
//
// A corrupt file cannot be trusted: loading it fails (Errc::malformed), and no bundle is
// installed until an operator looks (never guess what was installed).

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include <vps/base/result.hpp>

namespace vps::host::delivery {

inline constexpr std::size_t k_max_sequence_file_bytes = 256 * 1024;

class BundleSequences {
 public:
  // An absent file is an empty guard.
  static Result<BundleSequences> load(const std::filesystem::path& path);

  std::int64_t last(const std::string& name) const;
  // Records and writes the file atomically (the in-memory value changes only once written).
  Status record(const std::string& name, std::int64_t sequence);
  const std::map<std::string, std::int64_t>& all() const { return m_last; }

 private:
  explicit BundleSequences(std::filesystem::path path) : m_path(std::move(path)) {}
  std::filesystem::path m_path;
  std::map<std::string, std::int64_t> m_last;
};

}  // namespace vps::host::delivery
