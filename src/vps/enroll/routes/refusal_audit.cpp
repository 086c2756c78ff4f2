#include <vps/enroll/routes/refusal_audit.hpp>

namespace vps::enroll::routes {

std::string_view to_string(Refusal kind) {
  switch (kind) {
    case Refusal::rate_limited: return "rate limit";
    case Refusal::source_cap: return "pending cap per source";
    case Refusal::pending_cap: return "pending cap";
  }
  return "limit";
}

std::optional<std::int64_t> RefusalAudit::due(Refusal kind, std::int64_t now) {
  Slot& slot = m_slots[static_cast<std::size_t>(kind)];
  if (now < slot.next) {
    ++slot.left_out;
    return std::nullopt;
  }
  const std::int64_t left_out = slot.left_out;
  slot.left_out = 0;
  slot.next = now + m_interval;
  return left_out;
}

}  // namespace vps::enroll::routes
