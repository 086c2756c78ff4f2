#pragma once
// The agent's durable state (<state_dir>/state.json): which instance the host key belongs to,
// its public identity, and where enrollment stands. No secrets live here (mode 0644), so
// `vps-agent status` works for any user. Unknown fields are preserved on rewrite, so newer
// writers' fields survive older code.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <vps/base/result.hpp>

namespace vps::host::state {

inline constexpr std::size_t k_max_state_size = 1024 * 1024;

// Enrollment status values in use: "none" (never published), "pending" (published, waiting
// for an operator), "approved", "rejected". Any lowercase word [a-z_] is accepted so later
// writers can add states; readers treat unknown ones as "not enrolled".
struct Enrollment {
  std::string status = "none";
  std::string last_attempt;     // RFC 3339 UTC or empty
  std::string last_error;       // empty when the last attempt succeeded
  std::string acknowledged_at;  // when the endpoint acknowledged the publication
  nlohmann::json extra = nlohmann::json::object();
};

struct State {
  std::string instance_id;    // empty: unknown when the key was recorded
  std::string fingerprint;    // "SHA256:..." of the host key
  std::string age_recipient;  // "age1..." derived from the host key
  std::string created;        // RFC 3339 UTC, when this identity was created or adopted
  Enrollment enrollment;
  nlohmann::json extra = nlohmann::json::object();

  // Enrollment that has reached the endpoint: approved or acknowledged.
  bool enrolled() const;
};

// Errc::malformed naming source for invalid JSON or wrongly typed fields.
Result<State> parse_state(std::string_view text, std::string_view source);
std::string format_state(const State& state);  // pretty JSON with a final newline

}  // namespace vps::host::state
