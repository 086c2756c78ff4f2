#pragma once
// vps-enroll rekey, the I/O part: read .sops.yaml and the files, build the plan, then (unless
// dry-run) re-wrap every sops data key and re-encrypt every age file for its rule's
// recipients and write the new .sops.yaml. Every new content is computed before anything is
// written, so a failure (wrong identity, bad file) leaves every file as it was; each write is
// atomic (sys::AtomicFile) and keeps the file's mode.
#include <filesystem>
#include <string>
#include <vector>

#include <vps/base/result.hpp>

#include <vps/enroll/rekey/plan.hpp>

namespace vps::enroll::rekey {

struct RekeyOptions {
  std::filesystem::path config_file;  // empty: .sops.yaml searched upwards from the cwd, as sops does
  std::string recipient;              // "age1..."
  std::vector<std::filesystem::path> identity_files;  // empty: $SOPS_AGE_KEY_FILE, ~/.config/sops/age/keys.txt
  std::vector<std::filesystem::path> files;
  bool dry_run = false;
};

struct RekeyReport {
  std::filesystem::path config_file;
  Plan plan;
  bool written = false;
};

Result<RekeyReport> rekey(const RekeyOptions& options);

// The nearest .sops.yaml in start or its parents. Errc::missing if none.
Result<std::filesystem::path> find_sops_config(const std::filesystem::path& start);

}  // namespace vps::enroll::rekey
