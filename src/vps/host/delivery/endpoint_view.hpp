#pragma once
// The endpoint's current view of this host (GET /v1/hosts/{host}/status, signed by the host
// key): approved, pending, revoked..., and the bundles it holds. For `vps-agent status`, so the
// operator on the console sees what the endpoint decided, not only what publish recorded.
#include <chrono>
#include <filesystem>

#include <nlohmann/json.hpp>

#include <vps/base/result.hpp>
#include <vps/config/config.hpp>

namespace vps::host::delivery {

// nullopt without an endpoint. One request, bounded by `timeout`; transport errors and non-2xx
// answers are errors (the caller shows them).
Result<std::optional<nlohmann::json>> endpoint_view(const config::Config& config, const std::filesystem::path& root,
                                                    std::chrono::milliseconds timeout);

}  // namespace vps::host::delivery
