#pragma once
// Identity and recipient files as the age CLI reads them. An identity file is either
// age-keygen output (AGE-SECRET-KEY-1 lines, "#" comments, blank lines) or an unencrypted
// OpenSSH ed25519 private key, which yields BOTH an ssh-ed25519 identity and its ssh-to-age
// X25519 identity (so files made with either `age -R key.pub` or `age -r $(ssh-to-age ...)`
// open). Messages name the source and line, never a key.

#include <memory>
#include <string_view>
#include <vector>

#include <vps/base/result.hpp>
#include <vps/formats/age/identity.hpp>

namespace vps::formats::age {

Result<IdentityList> parse_identity_file(std::string_view text, std::string_view source_name);

// "age1..." or "ssh-ed25519 AAAA... [comment]". Errc::unsupported for post-quantum, plugin
// and non-ed25519 SSH recipients; Errc::malformed otherwise.
Result<std::unique_ptr<Recipient>> parse_recipient(std::string_view line);

// One recipient per line; "#" comments and blank lines ignored; at least one required.
Result<std::vector<std::unique_ptr<Recipient>>> parse_recipients_file(std::string_view text,
                                                                       std::string_view source_name);

}  // namespace vps::formats::age
