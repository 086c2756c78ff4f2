#pragma once
// vps-enroll rekey, the pure part: which creation rule each file falls under, the .sops.yaml
// text with the new recipient added to those rules, and per file the recipient changes
// (as `sops updatekeys` computes them: the file's age keys become exactly the rule's).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <vps/base/result.hpp>

#include <vps/enroll/rekey/sops_config.hpp>

namespace vps::enroll::rekey {

enum class FileKind { sops, age };

struct FileInput {
  std::string path;      // as given (for messages)
  std::string relative;  // relative to the .sops.yaml directory (what path_regex sees)
  FileKind kind = FileKind::sops;
  // sops: the age recipients in the file's metadata; age: nullopt (X25519 stanzas do not
  // name their recipient, so the current set is unknown).
  std::optional<std::vector<std::string>> current;
};

struct FilePlan {
  FileInput input;
  std::size_t rule = 0;             // index in the config
  std::vector<std::string> target;  // the rule's recipients after the edit
  std::vector<std::string> added;   // target minus current (all of target for age files)
  std::vector<std::string> removed; // current minus target
  bool changed() const { return !added.empty() || !removed.empty(); }
};

struct Plan {
  std::string config_text;  // the new .sops.yaml
  bool config_changed = false;
  std::vector<std::size_t> rules;  // indexes of the rules the recipient was added to
  std::vector<FilePlan> files;
};

// Errc::missing if a file matches no rule, Errc::unsupported for rules rekey cannot edit
// (several key groups). name_hint names a new keys: anchor (the host's name, or empty).
Result<Plan> make_plan(std::string_view config_text, std::string_view recipient, const std::vector<FileInput>& files,
                       std::string_view name_hint = {});

// "ssh-ed25519 AAAA... [comment]" -> its ssh-to-age "age1..." recipient (what a host's
// `vps-agent pubkey --format age` prints). Errc::malformed otherwise.
Result<std::string> age_recipient_from_ssh_key(std::string_view line);

}  // namespace vps::enroll::rekey
