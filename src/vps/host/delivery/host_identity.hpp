#pragma once
// The host's own decryption identities, from its OpenSSH ed25519 key: the ssh-ed25519 identity
// and its ssh-to-age X25519 identity (so both kinds of stanza open), plus the public names an
// operator needs to enroll it (age recipient and SHA256 fingerprint).

#include <filesystem>
#include <string>

#include <vps/base/result.hpp>
#include <vps/formats/age/age.hpp>

namespace vps::host::delivery {

struct HostIdentity {
  formats::age::IdentityList identities;
  std::string age_recipient;  // "age1..."
  std::string fingerprint;    // "SHA256:..."
};

// Errc::no_key when the key does not exist (firstboot has not run), else the key loader's error.
Result<HostIdentity> load_host_identity(const std::filesystem::path& key_path);

}  // namespace vps::host::delivery
