#pragma once
// `sops rotate` for age-keyed files: the one way to take a recipient's access away for good.
// Re-wrapping the same data key (`sops updatekeys`, rewrap) does not: the removed holder already
// knows that key, and every value's ciphertext with it (getsops/sops#365). As sops'
// cmd/sops/rotate.go: decrypt every value (MAC verified), generate a new 32-byte data key,
// re-encrypt every value with fresh IVs under the same crypt rules, recompute the MAC and
// encrypt it with the new key and the new lastmodified as additional data, and wrap the new
// key for every recipient (fresh age stanzas). Plaintext values stay byte-identical.

#include <string>
#include <string_view>
#include <vector>

#include <vps/base/result.hpp>
#include <vps/formats/age/identity.hpp>
#include <vps/formats/sops/store.hpp>

namespace vps::formats::sops {

struct RotateOptions {
  std::string last_modified;  // RFC 3339; empty: now (sops: time.Now().UTC())
};

// Errors: Errc::unsupported when the data key is also wrapped for pgp/kms/... keys (sops needs
// every master key to re-wrap a new data key; the message names them) or for Shamir key
// groups; Errc::usage for no recipients; the unwrap/decrypt errors (no_identity, integrity).
Result<std::string> rotate(std::string_view text, Format format, const std::vector<const age::Recipient*>& recipients,
                           const std::vector<const age::Identity*>& identities, const RotateOptions& options = {});

// The key paths ("db/password", "servers/0/token": sequence items by index, as vps-agent's
// `key:` and `--extract` take them) of every value sops encrypted in the file, in file order
// without duplicates: what a holder of the data key can read. Comments are not listed.
std::vector<std::string> encrypted_value_paths(const EncryptedFile& file);

}  // namespace vps::formats::sops
