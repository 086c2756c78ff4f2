#pragma once
// Secret and template names become paths under a generation, so they are checked strictly:
// '/'-separated components of [A-Za-z0-9._+=@,-], none empty, "." or "..", none longer than
// 255 bytes, at most 1024 bytes in all. "rendered" is reserved for templates.

#include <string>
#include <string_view>
#include <vector>

#include <vps/base/result.hpp>

namespace vps::host::secrets {

inline constexpr std::string_view k_rendered_dir = "rendered";

// Errc::config naming `kind` ("secret", "template") and the offending name.
Status check_name(std::string_view kind, std::string_view name);

// The systemd credential name for a secret: '/' becomes '_' (credential names are file names).
std::string credential_name(std::string_view secret_name);

// Errc::config if two names are equal, or one is a directory prefix of another ("a", "a/b").
Status check_name_set(std::string_view kind, std::vector<std::string> names);

}  // namespace vps::host::secrets
