#pragma once
// Walks documents as sops does (sops.go walkBranch/walkSlice): the path is the chain of mapping
// keys (sequence indices are not part of it), its "a:b:" form is each value's additional data,
// and comments above a value form the comment stack the crypt rules look at.

#include <string>
#include <vector>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>
#include <vps/formats/sops/crypt_rules.hpp>
#include <vps/formats/sops/tree.hpp>

namespace vps::formats::sops {

// Decrypts every value the rules mark encrypted, in place, and returns the MAC (hex) of the
// plaintext. Errors name the value's path: integrity (tag), malformed (not an ENC value).
Result<std::string> decrypt_documents(std::vector<Document>& documents, const CryptRuleSet& rules, ByteView key);

// Encrypts in place with fresh IVs and returns the MAC (hex) of the plaintext.
Result<std::string> encrypt_documents(std::vector<Document>& documents, const CryptRuleSet& rules, ByteView key);

// "a:b:" from {"a","b"}; ":" for the root.
std::string path_aad(const std::vector<std::string>& path);

}  // namespace vps::formats::sops
