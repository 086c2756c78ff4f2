#include <vps/crypto/curve25519.hpp>

#include <stdexcept>

#include <sodium.h>

#include <vps/crypto/hash.hpp>
#include <vps/crypto/sodium.hpp>

namespace vps::crypto {

Result<SecretArray<32>> x25519(const X25519Secret& scalar, ByteView point) {
  ensure_sodium();
  if (point.size() != 32) return fail(Errc::malformed, "X25519 share is not 32 bytes");
  SecretArray<32> shared;
  if (crypto_scalarmult_curve25519(shared.data(), scalar.data(), point.data()) != 0)
    return fail(Errc::integrity, "X25519 share is a low-order point");
  return shared;
}

X25519Public x25519_base(const X25519Secret& scalar) {
  ensure_sodium();
  X25519Public out;
  crypto_scalarmult_curve25519_base(out.data(), scalar.data());
  return out;
}

Ed25519KeyPair ed25519_generate() {
  ensure_sodium();
  Ed25519KeyPair kp;
  randombytes_buf(kp.seed.data(), kp.seed.size());
  kp.public_key = ed25519_public_from_seed(kp.seed);
  return kp;
}

Ed25519Public ed25519_public_from_seed(const Ed25519Seed& seed) {
  ensure_sodium();
  Ed25519Public pk;
  SecretArray<64> sk;
  crypto_sign_ed25519_seed_keypair(pk.data(), sk.data(), seed.data());
  return pk;
}

Ed25519Signature ed25519_sign(const Ed25519Seed& seed, ByteView message) {
  ensure_sodium();
  Ed25519Public pk;
  SecretArray<64> sk;
  crypto_sign_ed25519_seed_keypair(pk.data(), sk.data(), seed.data());
  Ed25519Signature sig;
  crypto_sign_ed25519_detached(sig.data(), nullptr, message.data(), message.size(), sk.data());
  return sig;
}

bool ed25519_verify(const Ed25519Public& public_key, ByteView message, ByteView signature) {
  ensure_sodium();
  if (signature.size() != crypto_sign_ed25519_BYTES) return false;
  return crypto_sign_ed25519_verify_detached(signature.data(), message.data(), message.size(),
                                             public_key.data()) == 0;
}

Result<X25519Public> ed25519_public_to_x25519(const Ed25519Public& public_key) {
  ensure_sodium();
  X25519Public out;
  if (crypto_sign_ed25519_pk_to_curve25519(out.data(), public_key.data()) != 0)
    return fail(Errc::malformed, "not a valid Ed25519 public key");
  return out;
}

X25519Secret ed25519_seed_to_x25519(const Ed25519Seed& seed) {
  Sha512Digest h = sha512(seed.view());
  X25519Secret out;
  std::copy(h.begin(), h.begin() + 32, out.data());
  sodium_memzero(h.data(), h.size());
  return out;
}

}  // namespace vps::crypto
