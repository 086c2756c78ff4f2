#pragma once
// A rebuild's state as the REST API names it ("state" in the endpoint's rebuild records and in
// the host's reports): defined once for the endpoint, the agent's watcher and the operator CLI.
//
// queued -> picked (host fetched it) -> running -> succeeded | failed; queued -> expired;
// queued | picked -> cancelled (the host was revoked or its key replaced before it started).
// A host that refuses a request reports it failed (with a reason) without running anything.

#include <string_view>

#include <vps/base/result.hpp>

namespace vps::protocol {

enum class RebuildState { queued, picked, running, succeeded, failed, expired, cancelled };

std::string_view to_string(RebuildState state);
// Errc::malformed for a name that is not a state.
Result<RebuildState> parse_rebuild_state(std::string_view text);
// succeeded, failed, expired, cancelled: nothing changes it any more.
bool is_final(RebuildState state);

}  // namespace vps::protocol
