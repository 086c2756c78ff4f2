#pragma once
// The host key on disk (/etc/ssh/ssh_host_ed25519_key and .pub): strict loading, and writes that
// never replace an existing key. The private key is the identity; the .pub is derived from it
// and rewritten whenever it is missing or differs.

#include <filesystem>
#include <optional>

#include <vps/base/result.hpp>
#include <vps/formats/openssh/private_key.hpp>
#include <vps/formats/openssh/public_key.hpp>

// Files are owned by the writing process: root, as the unit runs it. No fchown, so the unit's
// seccomp filter can keep @chown out.

namespace vps::host::identity {

using formats::openssh::Ed25519PrivateKey;
using formats::openssh::Ed25519PublicKey;

std::filesystem::path public_key_path(const std::filesystem::path& key_path);  // key + ".pub"

// nullopt when the file does not exist. Errc::corrupt_key (with the parser's reason) when it
// exists but is not exactly one unencrypted ed25519 key; Errc::io when it cannot be read.
Result<std::optional<Ed25519PrivateKey>> load_host_key(const std::filesystem::path& key_path);

// Public key of the host: from the private key when readable (the source of truth), else from
// the .pub (e.g. for an unprivileged `vps-agent pubkey`). Errc::no_key when neither exists.
Result<Ed25519PublicKey> load_host_public_key(const std::filesystem::path& key_path);

// Writes the private key: mode 0600, temp + fsync, then a rename
// that fails (Errc::io) if a key appeared meanwhile: an existing key is never replaced.
Status write_host_key(const std::filesystem::path& key_path, const Ed25519PrivateKey& key);

// Writes "<key>.pub" (0644) atomically, without fsync (it is derived), unless it already holds
// exactly this line.
// Returns true when it wrote.
Result<bool> write_public_key(const std::filesystem::path& key_path, const Ed25519PrivateKey& key);

}  // namespace vps::host::identity
