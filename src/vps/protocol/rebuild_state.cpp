#include <vps/protocol/rebuild_state.hpp>

#include <string>

namespace vps::protocol {

std::string_view to_string(RebuildState state) {
  switch (state) {
    case RebuildState::queued: return "queued";
    case RebuildState::picked: return "picked";
    case RebuildState::running: return "running";
    case RebuildState::succeeded: return "succeeded";
    case RebuildState::failed: return "failed";
    case RebuildState::expired: return "expired";
    case RebuildState::cancelled: return "cancelled";
  }
  return "queued";
}

Result<RebuildState> parse_rebuild_state(std::string_view text) {
  for (RebuildState s : {RebuildState::queued, RebuildState::picked, RebuildState::running, RebuildState::succeeded,
                         RebuildState::failed, RebuildState::expired, RebuildState::cancelled}) {
    if (to_string(s) == text) return s;
  }
  return fail(Errc::malformed, "unknown rebuild state '" + std::string(text) + "'");
}

bool is_final(RebuildState state) {
  return state == RebuildState::succeeded || state == RebuildState::failed || state == RebuildState::expired ||
         state == RebuildState::cancelled;
}

}  // namespace vps::protocol
