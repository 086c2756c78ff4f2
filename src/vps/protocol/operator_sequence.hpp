#pragma once
// Sequence numbers of operator-signed objects (rebuild requests per host, bundle manifests per
// host and bundle name). The receiver keeps the last one it accepted and refuses anything not
// above it (no replay, no rollback). Signers choose max(last + 1, now in ms), so operators
// need no coordination and sequences stay close to the clock.
//
// The clock also bounds them: nobody signs or accepts a sequence more than k_max_sequence_lead
// ahead of its own clock. Without that bound one sequence of 2^63-1, signed once (an operator
// trusted only by the endpoint queueing it, or a lying endpoint reporting it as "last" to a
// host-trusted operator's CLI), would lock out every later request forever.

#include <chrono>
#include <cstdint>
#include <string_view>

#include <vps/base/result.hpp>

namespace vps::protocol {

inline constexpr std::int64_t k_max_sequence_lead_ms = std::int64_t{24} * 3600 * 1000;

// max(last + 1, now_ms). Errc::refused when last + 1 is beyond now_ms + lead (the "last" the
// endpoint reported cannot be honest, or this clock is far behind) — never a sequence that
// would lock out later ones.
Result<std::int64_t> next_sequence(std::int64_t last, std::int64_t now_ms, std::string_view what);

// Errc::refused when sequence > now_ms + lead, naming `what`.
Status check_sequence_lead(std::int64_t sequence, std::int64_t now_ms, std::string_view what);

}  // namespace vps::protocol
