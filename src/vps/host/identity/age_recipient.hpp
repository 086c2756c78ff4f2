#pragma once
// The host's age recipient: the X25519 form of its Ed25519 host key, bech32 "age1...", exactly
// what ssh-to-age prints for the host's .pub, so .sops.yaml can name the host by it.

#include <string>

#include <vps/base/result.hpp>
#include <vps/crypto/curve25519.hpp>

namespace vps::host::identity {

Result<std::string> age_recipient(const crypto::Ed25519Public& host_key);

}  // namespace vps::host::identity
