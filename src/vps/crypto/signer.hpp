#pragma once
// Who signs: an Ed25519 key held in this process (a host key, an unencrypted or decrypted
// operator key) or one held elsewhere (an ssh-agent). Every signed object of the project
// (requests, rebuild requests, bundle manifests, publications) is signed through this
// interface, so where the private key lives is decided once, where the key is loaded.

#include <memory>

#include <vps/base/result.hpp>
#include <vps/crypto/curve25519.hpp>

namespace vps::crypto {

class Signer {
 public:
  virtual ~Signer() = default;
  virtual const Ed25519Public& public_key() const = 0;
  // Errc::unauthorized when a remote holder (an agent) refuses, Errc::retry when it is
  // unreachable; an in-process key cannot fail.
  virtual Result<Ed25519Signature> sign(ByteView message) const = 0;
};

// The seed in this process's memory (wiped with the object).
class SeedSigner final : public Signer {
 public:
  explicit SeedSigner(const Ed25519Seed& seed) : m_seed(seed), m_public(ed25519_public_from_seed(seed)) {}
  const Ed25519Public& public_key() const override { return m_public; }
  Result<Ed25519Signature> sign(ByteView message) const override { return ed25519_sign(m_seed, message); }

 private:
  Ed25519Seed m_seed;
  Ed25519Public m_public;
};

}  // namespace vps::crypto
