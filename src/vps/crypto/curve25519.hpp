#pragma once
// X25519 (RFC 7748) and Ed25519 (RFC 8032) through libsodium, plus the Ed25519 -> X25519
// conversions that ssh-to-age and age's ssh-ed25519 recipient type rely on.

#include <array>
#include <cstdint>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>

namespace vps::crypto {

using X25519Public = std::array<std::uint8_t, 32>;
using X25519Secret = SecretArray<32>;
using Ed25519Public = std::array<std::uint8_t, 32>;
using Ed25519Seed = SecretArray<32>;
using Ed25519Signature = std::array<std::uint8_t, 64>;

// scalar * point. Fails (Errc::integrity) when the result is all zeros, i.e. a low-order point:
// age requires rejecting such shares.
Result<SecretArray<32>> x25519(const X25519Secret& scalar, ByteView point);
X25519Public x25519_base(const X25519Secret& scalar);

struct Ed25519KeyPair {
  Ed25519Seed seed;
  Ed25519Public public_key{};
};

Ed25519KeyPair ed25519_generate();
Ed25519Public ed25519_public_from_seed(const Ed25519Seed& seed);
Ed25519Signature ed25519_sign(const Ed25519Seed& seed, ByteView message);
bool ed25519_verify(const Ed25519Public& public_key, ByteView message, ByteView signature);

// Birational map Edwards -> Montgomery of a public key; fails for points that are not valid
// Ed25519 public keys.
Result<X25519Public> ed25519_public_to_x25519(const Ed25519Public& public_key);

// First 32 bytes of SHA-512(seed), NOT clamped: exactly what ssh-to-age and age's agessh
// compute. X25519 clamps on use, so the public key is the same either way, but the encoded
// AGE-SECRET-KEY differs if one clamps, and we must be byte-identical to ssh-to-age.
X25519Secret ed25519_seed_to_x25519(const Ed25519Seed& seed);

}  // namespace vps::crypto
