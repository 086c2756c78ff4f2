#pragma once
// The host's name as the agent reports it (key comment, publication record).

#include <filesystem>
#include <string>

namespace vps::host::identity {

// <root>/etc/hostname when the root is relocated (an image being prepared, a test's scratch
// root), else the running host's name; "localhost" when neither is available.
std::string host_name(const std::filesystem::path& root);

}  // namespace vps::host::identity
