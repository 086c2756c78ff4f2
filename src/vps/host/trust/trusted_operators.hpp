#pragma once
// The operators this host trusts, as the running agent sees them NOW: config.yaml's top-level
// authorized_operators (config/operators_section.hpp; inline lines or a file it names). Long
// running agents (vps-agent watch, vps-secrets) ask for the list on every rebuild request and
// every bundle they verify; a stat of config.yaml and of the operators file tells whether they
// changed, and a change is read at once. So removing an operator takes effect with the next
// request after the file is written, without a restart (the NixOS module does not restart the
// watcher on configuration changes, so that a rebuild never kills its own agent).
//
// Fail closed: when the changed configuration does not parse, or lists no operator, current()
// is an error and the caller refuses whatever it was asked to trust, reporting why.

#include <filesystem>
#include <string>
#include <vector>

#include <vps/base/result.hpp>
#include <vps/config/config.hpp>
#include <vps/formats/openssh/authorized_operators.hpp>
#include <vps/sys/fs/file_stamp.hpp>

namespace vps::host::trust {

using Operators = std::vector<formats::openssh::AuthorizedOperator>;

class TrustedOperators {
 public:
  // root and config_path as config::load takes them; `loaded` is the configuration the caller
  // already loaded from there (read again only when it changes).
  TrustedOperators(std::filesystem::path root, std::string config_path, const config::Config& loaded);

  // The list as configured now. Errc::config when the configuration no longer parses, the file
  // cannot be read, or no operator is listed.
  Result<Operators> current();

 private:
  void reload(const config::Config& config);
  std::filesystem::path config_file() const;

  std::filesystem::path m_root;
  std::string m_config_path;
  sys::FileStamp m_config_stamp;
  std::filesystem::path m_operators_file;  // relocated; empty when the lines are inline
  sys::FileStamp m_operators_stamp;
  Result<Operators> m_current;
};

// The list a configuration names (reading its file, if any), without caching.
Result<Operators> load_operators(const config::AuthorizedOperators& configured);

}  // namespace vps::host::trust
