#pragma once
// The block firstboot prints to the serial console (Lish) and stdout, shaped like cloud-init's
// so existing scrapers and habits work:
//
//   -----BEGIN SSH HOST KEY FINGERPRINTS-----
//   256 SHA256:... root@host (ED25519)
//   -----END SSH HOST KEY FINGERPRINTS-----
//   -----BEGIN SSH HOST KEY KEYS-----
//   ssh-ed25519 AAAA... root@host
//   -----END SSH HOST KEY KEYS-----
//   -----BEGIN AGE RECIPIENT-----
//   age1...
//   -----END AGE RECIPIENT-----

#include <filesystem>
#include <string>

#include <vps/base/result.hpp>
#include <vps/formats/openssh/public_key.hpp>

namespace vps::host::identity {

std::string fingerprint_block(const formats::openssh::Ed25519PublicKey& key, std::string_view age_recipient);

// Appends text to the console device (or a test file); never creates it, never becomes our
// controlling terminal.
Status write_console(const std::filesystem::path& console, std::string_view text);

}  // namespace vps::host::identity
