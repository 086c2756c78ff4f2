#pragma once
// Refusals that anyone can cause without a key (the publication rate limit, the pending caps)
// go to the journal and the audit trail at most once per kind and interval, with the number
// left out since the last entry: neither grows with an attacker's request rate. In memory, per
// endpoint process.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace vps::enroll::routes {

enum class Refusal { rate_limited, source_cap, pending_cap };
std::string_view to_string(Refusal kind);

class RefusalAudit {
 public:
  explicit RefusalAudit(std::int64_t interval_seconds = 600) : m_interval(interval_seconds) {}

  // When this refusal is to be written: how many of its kind were left out since the last one
  // written. nullopt: leave it out (it is counted).
  std::optional<std::int64_t> due(Refusal kind, std::int64_t now);
  // Whether due() would say so now (changes nothing).
  bool would_write(Refusal kind, std::int64_t now) const { return now >= m_slots[static_cast<std::size_t>(kind)].next; }

 private:
  struct Slot {
    std::int64_t next = 0;  // the first time another entry of this kind may be written
    std::int64_t left_out = 0;
  };
  std::array<Slot, 3> m_slots{};
  std::int64_t m_interval;
};

}  // namespace vps::enroll::routes
