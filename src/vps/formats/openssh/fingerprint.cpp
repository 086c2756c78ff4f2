#include <vps/formats/openssh/fingerprint.hpp>

#include <vps/base/base64.hpp>
#include <vps/crypto/hash.hpp>
#include <vps/formats/openssh/public_key.hpp>

namespace vps::formats::openssh {

std::string sha256_fingerprint(const crypto::Ed25519Public& key) {
  auto digest = crypto::sha256(wire_encoding(key));
  return "SHA256:" + base64::encode(digest, base64::Padding::forbidden);
}

std::string fingerprint_line(const crypto::Ed25519Public& key, std::string_view comment) {
  std::string line = "256 " + sha256_fingerprint(key) + " ";
  line += comment.empty() ? std::string_view("no comment") : comment;
  line += " (ED25519)";
  return line;
}

}  // namespace vps::formats::openssh
