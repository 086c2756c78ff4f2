#include <vps/host/state/state.hpp>

namespace vps::host::state {
namespace {

using nlohmann::json;

bool is_status_word(const std::string& s) {
  if (s.empty() || s.size() > 32) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
  return true;
}

// Moves a string member out of object, leaving the rest as "extra".
Status take_string(json& object, const char* key, std::string& out, std::string_view source) {
  auto it = object.find(key);
  if (it == object.end()) return {};
  if (!it->is_string()) return fail(Errc::malformed, std::string(source) + ": '" + key + "' must be a string");
  out = it->get<std::string>();
  object.erase(it);
  return {};
}

}  // namespace

bool State::enrolled() const {
  return enrollment.status == "approved" || !enrollment.acknowledged_at.empty();
}

Result<State> parse_state(std::string_view text, std::string_view source) {
  if (text.size() > k_max_state_size) return fail(Errc::malformed, std::string(source) + ": larger than 1 MiB");
  json root = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return fail(Errc::malformed, std::string(source) + ": invalid JSON");
  if (!root.is_object()) return fail(Errc::malformed, std::string(source) + ": top level must be an object");
  State state;
  VPS_CHECK(take_string(root, "instance_id", state.instance_id, source));
  VPS_CHECK(take_string(root, "fingerprint", state.fingerprint, source));
  VPS_CHECK(take_string(root, "age_recipient", state.age_recipient, source));
  VPS_CHECK(take_string(root, "created", state.created, source));
  if (auto it = root.find("enrollment"); it != root.end()) {
    if (!it->is_object()) return fail(Errc::malformed, std::string(source) + ": 'enrollment' must be an object");
    json enrollment = std::move(*it);
    root.erase(it);
    auto& e = state.enrollment;
    VPS_CHECK(take_string(enrollment, "status", e.status, source));
    VPS_CHECK(take_string(enrollment, "last_attempt", e.last_attempt, source));
    VPS_CHECK(take_string(enrollment, "last_error", e.last_error, source));
    VPS_CHECK(take_string(enrollment, "acknowledged_at", e.acknowledged_at, source));
    if (!is_status_word(e.status))
      return fail(Errc::malformed, std::string(source) + ": 'enrollment.status' must be a lowercase word");
    e.extra = std::move(enrollment);
  }
  state.extra = std::move(root);
  return state;
}

std::string format_state(const State& state) {
  json root = state.extra.is_object() ? state.extra : json::object();
  root["instance_id"] = state.instance_id;
  root["fingerprint"] = state.fingerprint;
  root["age_recipient"] = state.age_recipient;
  root["created"] = state.created;
  json enrollment = state.enrollment.extra.is_object() ? state.enrollment.extra : json::object();
  enrollment["status"] = state.enrollment.status;
  enrollment["last_attempt"] = state.enrollment.last_attempt;
  enrollment["last_error"] = state.enrollment.last_error;
  enrollment["acknowledged_at"] = state.enrollment.acknowledged_at;
  root["enrollment"] = std::move(enrollment);
  return root.dump(2) + "\n";
}

}  // namespace vps::host::state
