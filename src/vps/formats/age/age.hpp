#pragma once
// age v1 (C2SP age.md), byte-compatible with the Go `age` CLI: X25519, ssh-ed25519 and scrypt
// recipients, ASCII armor, STREAM payload. This façade is what the rest of the project
// includes; the per-concern headers hold the details.
//
// Errors: no identity matched -> Errc::no_identity; header MAC, stanza/payload tags ->
// Errc::integrity; header/armor/format problems -> Errc::malformed; files only for
// post-quantum recipients -> Errc::unsupported. Pass a Failure* to learn the exact stage
// (armor vs header, header MAC vs payload).

#include <memory>
#include <string_view>
#include <vector>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>
#include <vps/formats/age/failure.hpp>
#include <vps/formats/age/identity.hpp>
#include <vps/formats/age/identity_file.hpp>
#include <vps/formats/age/scrypt.hpp>
#include <vps/formats/age/ssh_ed25519.hpp>
#include <vps/formats/age/stream.hpp>
#include <vps/formats/age/x25519.hpp>

namespace vps::formats::age {

// Whole-buffer helpers (sops data keys, small files); input binary or armored (auto-detected).
// The plaintext is capped at max_plaintext (Errc::malformed beyond).
Result<SecretBytes> decrypt(ByteView file, const std::vector<const Identity*>& identities,
                            Failure* failure = nullptr, std::size_t max_plaintext = 64 * 1024 * 1024);
Result<Bytes> encrypt(ByteView plaintext, const std::vector<const Recipient*>& recipients, bool armor);

// The header's stanzas (to report which recipients a file has) without decrypting.
Result<std::vector<Stanza>> read_stanzas(ByteView file);

// Streaming, constant memory; decryption runs on options.threads threads. On decryption
// failure the plaintext released so far has been written to out_fd: write to a temporary
// file and keep it only on success (sys::AtomicFile).
Status decrypt_stream(int in_fd, int out_fd, const std::vector<const Identity*>& identities,
                      const StreamOptions& options = {}, Failure* failure = nullptr);
Status encrypt_stream(int in_fd, int out_fd, const std::vector<const Recipient*>& recipients, bool armor);

// Borrowed pointers for the calls above.
std::vector<const Identity*> pointers(const IdentityList& identities);
std::vector<const Recipient*> pointers(const std::vector<std::unique_ptr<Recipient>>& recipients);

}  // namespace vps::formats::age
