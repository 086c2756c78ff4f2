#pragma once
// The sops data key (32 bytes) and the age master keys that carry it: each age recipient gets
// its own armored age file in metadata (sops' age keysource). Other key types (pgp, kms, ...)
// are reported but cannot be used here; Shamir key groups are Errc::unsupported.

#include <string>
#include <vector>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>
#include <vps/formats/age/identity.hpp>
#include <vps/formats/sops/metadata.hpp>

namespace vps::formats::sops {

inline constexpr std::size_t k_data_key_size = 32;

struct RecipientReport {
  std::vector<std::string> age;       // "age1..." as written in the file
  std::vector<std::string> unusable;  // "pgp FBC7...", "kms arn:..."
};

RecipientReport recipients(const Metadata& metadata);

// Errors: Errc::no_identity (no identity opens any age key; the message lists the file's
// recipients and unusable key types), Errc::unsupported (several key groups), or the age
// error (integrity/malformed) of a key meant for us.
Result<SecretBytes> unwrap_data_key(const Metadata& metadata, const std::vector<const age::Identity*>& identities);

// One armored age file per recipient, as sops writes them.
Result<std::vector<AgeKey>> wrap_data_key(ByteView data_key, const std::vector<const age::Recipient*>& recipients);

}  // namespace vps::formats::sops
