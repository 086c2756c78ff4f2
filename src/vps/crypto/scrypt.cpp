#include <vps/crypto/scrypt.hpp>

#include <sodium.h>

#include <vps/crypto/sodium.hpp>

namespace vps::crypto {

Result<SecretArray<32>> scrypt32(ByteView password, ByteView salt, unsigned log2_n) {
  ensure_sodium();
  if (log2_n == 0 || log2_n > 30) return fail(Errc::malformed, "scrypt work factor out of range");
  SecretArray<32> out;
  if (crypto_pwhash_scryptsalsa208sha256_ll(password.data(), password.size(), salt.data(), salt.size(),
                                            std::uint64_t{1} << log2_n, 8, 1, out.data(), out.size()) != 0)
    return fail(Errc::internal, "scrypt failed (out of memory?)");
  return out;
}

}  // namespace vps::crypto
