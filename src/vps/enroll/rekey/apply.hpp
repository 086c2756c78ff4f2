#pragma once
// vps-enroll rekey, the I/O part: read .sops.yaml and the files (directories walked for the
// files a creation rule matches), build the plan, then (unless dry-run) re-wrap every sops
// data key and re-encrypt every age file for its rule's recipients and write the new
// .sops.yaml. prepare() computes every new content before write() writes anything, so a
// failure (wrong identity, bad file) leaves every file as it was; each write is atomic
// (sys::AtomicFile) and keeps the file's mode, and a failed write restores the files already
// written.
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
  // Files and directories. A directory is walked (hidden directories such as .git skipped) for
  // the files a creation rule matches that are sops or age files; a file named here must match.
  std::vector<std::filesystem::path> files;
  std::string name_hint;  // names a new keys: anchor in key_groups rules (the host's name)
  bool dry_run = false;
};

// A file found in a directory under a creation rule that is neither sops nor age.
struct SkippedFile {
  std::string path;
  std::string reason;
};

struct NewContent {
  std::filesystem::path path;
  std::string original;
  std::string content;
};

struct RekeyReport {
  std::filesystem::path config_file;
  Plan plan;
  std::vector<SkippedFile> skipped;
  // Filled by prepare() unless dry-run: the files whose content changes (index in plan.files),
  // then the .sops.yaml if it changes (index plan.files.size()).
  std::vector<std::pair<std::size_t, NewContent>> contents;
  bool written = false;
};

// Everything computed, nothing written.
Result<RekeyReport> prepare(const RekeyOptions& options);

// Writes report.contents (each atomically); on a failure restores those already written.
Status write(RekeyReport& report);

// prepare() then, unless dry-run, write().
Result<RekeyReport> rekey(const RekeyOptions& options);

// The nearest .sops.yaml in start or its parents. Errc::missing if none.
Result<std::filesystem::path> find_sops_config(const std::filesystem::path& start);

}  // namespace vps::enroll::rekey
