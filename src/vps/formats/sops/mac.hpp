#pragma once
// The sops MAC: SHA-512 over the plaintext bytes of every non-comment value in tree order
// (only the encrypted ones, after a fixed 32-byte prefix, when mac_only_encrypted), written as
// uppercase hex and stored encrypted with the data key, additional data = lastmodified.

#include <string>
#include <string_view>

#include <sodium.h>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>
#include <vps/formats/sops/tree.hpp>

namespace vps::formats::sops {

class MacHasher {
 public:
  explicit MacHasher(bool mac_only_encrypted);
  ~MacHasher();
  MacHasher(const MacHasher&) = delete;
  MacHasher& operator=(const MacHasher&) = delete;
  void add(const Node& scalar);
  std::string finish_hex();  // 128 uppercase hex digits

 private:
  crypto_hash_sha512_state m_state;
};

// ENC[...] of the MAC for metadata.mac.
Result<std::string> encrypt_mac(std::string_view mac_hex, ByteView data_key, std::string_view last_modified);

// Decrypts the stored MAC and compares it with the computed one in constant time.
// Errors: integrity ("file has no MAC", "MAC mismatch", tag failure), malformed (syntax).
Status verify_mac(std::string_view stored, std::string_view computed_hex, ByteView data_key,
                  std::string_view last_modified);

}  // namespace vps::formats::sops
