#pragma once
// Key fingerprints as ssh-keygen -l prints them.

#include <string>

#include <vps/crypto/curve25519.hpp>

namespace vps::formats::openssh {

// "SHA256:<base64 of SHA-256(wire encoding), no padding>", as `ssh-keygen -lf` prints.
std::string sha256_fingerprint(const crypto::Ed25519Public& key);

// The whole `ssh-keygen -lf` line: "256 SHA256:... <comment> (ED25519)"; an empty comment
// prints as "no comment", as ssh-keygen does.
std::string fingerprint_line(const crypto::Ed25519Public& key, std::string_view comment);

}  // namespace vps::formats::openssh
