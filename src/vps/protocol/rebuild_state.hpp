#pragma once
// A rebuild's state as the REST API names it ("state" in the endpoint's rebuild records and in
// the host's reports): defined once for the endpoint, the agent's watcher and the operator CLI.
//
// queued -> picked (host fetched it) -> running -> succeeded | failed; queued -> expired.
// A host that refuses a request reports it failed (with a reason) without running anything.

#include <string_view>

#include <vps/base/result.hpp>

namespace vps::protocol {

enum class RebuildState { queued, picked, running, succeeded, failed, expired };

std::string_view to_string(RebuildState state);
// Errc::malformed for a name that is not a state.
Result<RebuildState> parse_rebuild_state(std::string_view text);
// succeeded, failed, expired: nothing changes it any more.
bool is_final(RebuildState state);

}  // namespace vps::protocol
