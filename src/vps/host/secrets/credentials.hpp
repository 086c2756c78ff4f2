#pragma once
// Export of secrets into a systemd credential store directory (e.g. /run/credstore), so units
// can use `LoadCredential=<name>` instead of reading /run/vps-secrets: systemd then hands each
// unit a private copy that only it can read. The directory is 0700 root and must be on a memory
// filesystem; each file is 0400 root, replaced atomically (temp + rename). A manifest
// (".vps-agent-credentials") remembers what we exported, so credentials of removed secrets are
// deleted next time without touching files other tools put there.

#include <filesystem>
#include <string>
#include <vector>

#include <vps/base/bytes.hpp>
#include <vps/base/result.hpp>

namespace vps::host::secrets {

inline constexpr std::string_view k_credentials_manifest = ".vps-agent-credentials";

struct Credential {
  std::string name;  // credential_name(secret name): no '/'
  ByteView data;
};

Status export_credentials(const std::filesystem::path& dir, const std::vector<Credential>& credentials);

}  // namespace vps::host::secrets
