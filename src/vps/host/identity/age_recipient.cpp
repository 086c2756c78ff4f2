#include <vps/host/identity/age_recipient.hpp>

#include <vps/formats/age/bech32.hpp>

namespace vps::host::identity {

Result<std::string> age_recipient(const crypto::Ed25519Public& host_key) {
  auto x25519 = VPS_TRY(crypto::ed25519_public_to_x25519(host_key));
  return formats::age::bech32::encode("age", x25519);
}

}  // namespace vps::host::identity
