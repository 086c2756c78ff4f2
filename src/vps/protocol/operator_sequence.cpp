#include <vps/protocol/operator_sequence.hpp>

#include <limits>
#include <string>

namespace vps::protocol {

Result<std::int64_t> next_sequence(std::int64_t last, std::int64_t now_ms, std::string_view what) {
  if (last < 0 || last >= now_ms + k_max_sequence_lead_ms || last == std::numeric_limits<std::int64_t>::max()) {
    return fail(Errc::refused, std::string(what) + ": the endpoint reports last sequence " + std::to_string(last) +
                                   ", more than 24 h ahead of this machine's clock (" + std::to_string(now_ms) +
                                   " ms); refusing to sign a sequence that would lock out later ones (check both "
                                   "clocks, and the endpoint)");
  }
  return std::max(last + 1, now_ms);
}

Status check_sequence_lead(std::int64_t sequence, std::int64_t now_ms, std::string_view what) {
  if (now_ms <= std::numeric_limits<std::int64_t>::max() - k_max_sequence_lead_ms &&
      sequence > now_ms + k_max_sequence_lead_ms) {
    return fail(Errc::refused, std::string(what) + ": sequence " + std::to_string(sequence) +
                                   " is more than 24 h ahead of this clock (" + std::to_string(now_ms) +
                                   " ms); refused so that it cannot lock out later ones");
  }
  return {};
}

}  // namespace vps::protocol
