#pragma once
// An operator's OpenSSH key files as ssh reads an IdentityFile: the private key (unencrypted,
// or passphrase-protected and asked for once) and its public half, which is readable without
// the passphrase from FILE.pub or from the clear header of the private key file itself.

#include <filesystem>
#include <functional>
#include <string>

#include <vps/base/result.hpp>
#include <vps/formats/openssh/private_key.hpp>

namespace vps::enroll::keys {

// Asked for the passphrase of an encrypted key, with ssh's prompt ("Enter passphrase for key
// 'FILE': "); read_passphrase (passphrase.hpp) in the CLI, a fixed answer in tests.
using AskPassphrase = std::function<Result<SecretBytes>(const std::string& prompt)>;

// Errc::missing when absent; an unencrypted key as parse_private_key reports; an encrypted
// one as decrypt_private_key reports, `ask` being called only after the file's encryption was
// found supported.
Result<formats::openssh::Ed25519PrivateKey> load_private_key_file(const std::filesystem::path& path,
                                                                  const AskPassphrase& ask);

// The public key of a key file without decrypting anything: a public key line
// ("ssh-ed25519 AAAA... comment", as FILE.pub) or an OpenSSH private key file (encrypted or
// not). Errc::missing when absent.
Result<crypto::Ed25519Public> read_public_half(const std::filesystem::path& path);

}  // namespace vps::enroll::keys
