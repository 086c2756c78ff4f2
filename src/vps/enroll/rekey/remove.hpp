#pragma once
// vps-enroll rekey --remove: take a host's recipient away for good. It leaves every
// .sops.yaml rule that lists it (minimal text edit); every sops file it was on gets a new data
// key (formats/sops/rotate: `sops rotate`), because re-wrapping the old key would leave the host
// able to open the file and every ciphertext it ever saw; every .age file whose rule listed it
// is re-encrypted (new file key) to the rule's remaining recipients. The result names each
// secret the host could read, to be changed at its source: rotation protects future values,
// not the ones the host already had.
//
// Everything is computed in memory first: any failure (a file the identities cannot open, a
// pgp/kms key that would need re-wrapping, the last recipient) leaves every file and .sops.yaml
// as they were.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <vps/base/result.hpp>
#include <vps/enroll/rekey/plan.hpp>

namespace vps::enroll::rekey {

struct RemoveFileInput {
  std::string path;      // as given (for messages and the report)
  std::string relative;  // relative to the .sops.yaml directory (what path_regex sees)
  FileKind kind = FileKind::sops;
  std::vector<std::string> current;     // sops: the age recipients in the metadata
  std::vector<std::string> other_keys;  // sops: "pgp FBC7...", "kms arn:..." (cannot re-wrap here)
  std::vector<std::string> secrets;     // sops: encrypted value paths ("db/password"); age: the path
};

enum class RemoveAction { none, rotate, reencrypt };

struct RemoveFilePlan {
  RemoveFileInput input;
  std::optional<std::size_t> rule;  // index of its creation rule (a sops file needs none)
  RemoveAction action = RemoveAction::none;
  std::vector<std::string> target;  // the recipients after the removal
};

struct RemovePlan {
  std::string config_text;  // the new .sops.yaml
  bool config_changed = false;
  std::vector<std::size_t> rules;       // indexes of the rules that listed the recipient
  std::vector<std::size_t> rule_lines;  // their 1-based lines
  std::vector<RemoveFilePlan> files;
};

// Errors: Errc::not_a_recipient (on no rule and in no sops file), Errc::last_recipient (a rule
// or sops file would be left without recipients), Errc::unsupported (key_groups; a sops file
// also keyed for pgp/kms/...), Errc::missing (an .age file under no rule).
Result<RemovePlan> make_remove_plan(std::string_view config_text, std::string_view recipient,
                                    const std::vector<RemoveFileInput>& files);

struct RemoveOptions {
  std::filesystem::path config_file;  // empty: .sops.yaml searched upwards from the cwd
  std::string recipient;              // "age1..."
  std::vector<std::filesystem::path> identity_files;
  std::vector<std::filesystem::path> files;
  bool dry_run = false;
};

struct RemoveReport {
  std::filesystem::path config_file;
  RemovePlan plan;
  bool written = false;
};

Result<RemoveReport> remove(const RemoveOptions& options);

}  // namespace vps::enroll::rekey
