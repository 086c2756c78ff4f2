#pragma once
// One operator-signed rebuild request as the endpoint queues it (store/rebuilds.cpp). The
// endpoint keeps the request text and signature exactly as the operator sent them: the host
// verifies them itself, so the server's copy of host, revision or sequence decides nothing.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <vps/base/result.hpp>
#include <vps/protocol/rebuild_state.hpp>

namespace vps::enroll::store {

// The states and their names are the API's (protocol/rebuild_state.hpp).
using protocol::is_final;
using protocol::parse_rebuild_state;
using protocol::RebuildState;
using protocol::to_string;

struct RebuildRecord {
  std::int64_t id = 0;
  std::string host;
  std::int64_t sequence = 0;
  std::string revision;
  std::int64_t expires_at = 0;
  std::string request;    // canonical text (protocol/rebuild_request.hpp)
  std::string signature;  // base64
  std::string operator_name;
  RebuildState state = RebuildState::queued;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> picked_at;
  std::optional<std::int64_t> started_at;
  std::optional<std::int64_t> finished_at;
  std::optional<std::int64_t> exit_status;
  std::optional<std::int64_t> duration_ms;
  std::string reason;       // why it failed, as the host reported it
  std::string output_tail;  // last bytes of the command's output (at most 64 KiB)
};

}  // namespace vps::enroll::store
