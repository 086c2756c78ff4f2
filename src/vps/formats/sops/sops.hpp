#pragma once
// sops-encrypted files (getsops/sops 3.x), byte-compatible with the Go tool for YAML, JSON,
// dotenv, INI and binary files: values are AES-256-GCM with 32-byte IVs and their key path as
// additional data; a SHA-512 MAC over all plaintext values, encrypted with the data key, guards
// the whole tree; the 32-byte data key travels in the metadata wrapped by age (one armored age
// file per recipient). PGP/KMS keys are recognised but cannot be used here.
//
// Errors: Errc::integrity (value tag, MAC missing or mismatched), Errc::malformed (syntax,
// truncated file, metadata), Errc::no_identity (no identity opens the data key),
// Errc::unsupported (Shamir key groups, anchors/tags in YAML), Errc::missing (extract: no value
// at that path).

#include <string>
#include <string_view>
#include <vector>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>
#include <vps/formats/age/identity.hpp>
#include <vps/formats/sops/data_key.hpp>
#include <vps/formats/sops/metadata.hpp>
#include <vps/formats/sops/store.hpp>
#include <vps/formats/sops/tree.hpp>

namespace vps::formats::sops {

struct PlainFile {
  Format format = Format::yaml;
  std::vector<Document> documents;  // decrypted, comments kept
};

// Parses without decrypting (metadata, recipients).
Result<EncryptedFile> load(std::string_view text, Format format);

// Decrypts every value and verifies the MAC with a known data key.
Result<PlainFile> decrypt_with_key(const EncryptedFile& file, ByteView data_key);

// load + unwrap_data_key + decrypt_with_key.
Result<PlainFile> decrypt(std::string_view text, Format format, const std::vector<const age::Identity*>& identities);

// The whole plaintext file as `sops -d` prints it.
Result<SecretString> render(const PlainFile& file);

// One value, as `sops -d --extract '["a"]["b"]'` and sops-nix `key: a/b`: strings raw, other
// scalars as text, mappings and sequences in the file's format. path: "a/b/0" (digits index a
// sequence, comments not counted) or '["a"]["b"][0]'; "" is the whole file.
Result<SecretString> extract(const PlainFile& file, std::string_view path);

struct EncryptOptions {
  CryptRules rules;            // empty: sops' default unencrypted_suffix "_unencrypted"
  std::string last_modified;   // RFC 3339; empty: now
};

// A new sops file: fresh data key, a 32-byte IV per value, MAC, one age stanza per recipient.
Result<std::string> encrypt(std::string_view plaintext, Format format, const std::vector<const age::Recipient*>& recipients,
                            const EncryptOptions& options = {});

// As encrypt with a given data key and already wrapped age keys (tests, rewrap).
Result<std::string> encrypt_with_key(std::string_view plaintext, Format format, ByteView data_key,
                                     std::vector<AgeKey> age_keys, const EncryptOptions& options = {});

// `sops updatekeys` for age: the data key is opened with identities and wrapped anew for
// exactly these recipients; values, MAC and lastmodified stay untouched, other key types too.
Result<std::string> rewrap(std::string_view text, Format format, const std::vector<const age::Recipient*>& recipients,
                           const std::vector<const age::Identity*>& identities);

}  // namespace vps::formats::sops
