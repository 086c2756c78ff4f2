#pragma once
// File handling shared by rekey (apply.cpp) and rekey --remove (remove.cpp): the operator's
// identities, the path a creation rule sees, and the atomic write that keeps a file's mode.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <vps/base/result.hpp>
#include <vps/enroll/rekey/sops_config.hpp>
#include <vps/formats/age/age.hpp>

namespace vps::enroll::rekey {

inline constexpr std::size_t k_max_config_size = 1024 * 1024;
inline constexpr std::size_t k_max_rekey_file_size = 64 * 1024 * 1024;
inline constexpr std::string_view k_age_armor_begin = "-----BEGIN AGE ENCRYPTED FILE-----";

bool is_age_file(const std::filesystem::path& path);

// file relative to dir as sops' path_regex sees it: strings.TrimPrefix(abs path, dir + "/").
std::string relative_to(const std::filesystem::path& file, const std::filesystem::path& dir);

// The given files, else $SOPS_AGE_KEY_FILE, else ~/.config/sops/age/keys.txt (as sops).
// Errc::no_identity when there is none.
Result<formats::age::IdentityList> load_identities(const std::vector<std::filesystem::path>& identity_files);

// Atomic replace (sys::AtomicFile) keeping the file's mode (0600 for a new file).
Status write_keeping_mode(const std::filesystem::path& path, std::string_view text);

// The files a rekey works on: each named file as given, each directory walked for the files a
// creation rule of `config` matches (path_regex against the path relative to config_dir, as
// sops does); every file once, the .sops.yaml itself never. `walked` files that turn out not to
// be sops or age ciphertext are for the caller to skip (not_encrypted), named ones to refuse.
struct Candidate {
  std::filesystem::path path;
  bool walked = false;
};
Result<std::vector<Candidate>> gather_files(const SopsConfig& config, const std::filesystem::path& config_file,
                                            const std::vector<std::filesystem::path>& given);

// The regular files under dir, sorted, hidden directories (.git...) not entered; at most
// 100000 (Errc::unsupported beyond).
Result<std::vector<std::filesystem::path>> walk_files(const std::filesystem::path& dir);

// What a file found in a directory is: nullopt when it is sops or age ciphertext, else why
// not (it is skipped, not refused).
std::optional<std::string> not_encrypted(const std::filesystem::path& path, const std::string& text);

}  // namespace vps::enroll::rekey
