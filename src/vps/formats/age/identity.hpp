#pragma once
// The age recipient model: a file key is wrapped once per recipient into a stanza; an identity
// recognises stanzas of its own type and unwraps the file key from one of them.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>

namespace vps::formats::age {

inline constexpr std::size_t k_file_key_size = 16;
using FileKey = SecretArray<k_file_key_size>;

struct Stanza {
  std::string type;
  std::vector<std::string> args;
  Bytes body;
};

class Identity {
 public:
  virtual ~Identity() = default;
  // nullopt: no stanza is for this identity. Error: a stanza of our type is malformed or
  // invalid (Errc::malformed); decryption must then stop, as the spec requires.
  virtual Result<std::optional<FileKey>> unwrap(const std::vector<Stanza>& stanzas) const = 0;
  // Public information only, e.g. "X25519 age1...".
  virtual std::string describe() const = 0;
};

class Recipient {
 public:
  virtual ~Recipient() = default;
  virtual Result<std::vector<Stanza>> wrap(const FileKey& key) const = 0;
  // "age1..." or "ssh-ed25519 AAAA...".
  virtual std::string describe() const = 0;
  // scrypt stanzas must be alone in a header.
  virtual bool must_be_alone() const { return false; }
};

using IdentityList = std::vector<std::unique_ptr<Identity>>;

}  // namespace vps::formats::age
