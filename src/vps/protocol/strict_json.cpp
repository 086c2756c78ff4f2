#include <vps/protocol/strict_json.hpp>

#include <set>
#include <string>
#include <vector>

namespace vps::protocol {

using Json = nlohmann::json;

Result<Json> parse_json_strict(std::string_view text, std::string_view what) {
  std::vector<std::set<std::string>> keys;
  bool duplicate = false, too_deep = false;
  auto callback = [&](int depth, Json::parse_event_t event, Json& parsed) {
    // Returning false only drops the value from the result: remember why, and refuse below.
    if (depth > k_max_json_depth) {
      too_deep = true;
      return false;
    }
    if (event == Json::parse_event_t::object_start) keys.emplace_back();
    if (event == Json::parse_event_t::object_end && !keys.empty()) keys.pop_back();
    if (event == Json::parse_event_t::key && !keys.empty() && !keys.back().insert(parsed.get<std::string>()).second) {
      duplicate = true;
    }
    return true;
  };
  Json value = Json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/false);
  if (value.is_discarded()) return fail(Errc::malformed, std::string(what) + " is not valid JSON");
  if (too_deep) return fail(Errc::malformed, std::string(what) + " is nested too deeply");
  if (duplicate) return fail(Errc::malformed, std::string(what) + " has a duplicate key");
  return value;
}

Status check_object_fields(const Json& value, std::string_view what, std::initializer_list<std::string_view> known) {
  if (!value.is_object()) return fail(Errc::malformed, std::string(what) + " must be a JSON object");
  for (const auto& item : value.items()) {
    bool found = false;
    for (std::string_view name : known) found = found || item.key() == name;
    if (!found) return fail(Errc::malformed, "unknown field \"" + item.key() + "\"");
  }
  return {};
}

Result<Json> parse_strict_object(std::string_view text, std::string_view what,
                                 std::initializer_list<std::string_view> known) {
  auto value = VPS_TRY(parse_json_strict(text, what));
  VPS_CHECK(check_object_fields(value, what, known));
  return value;
}

}  // namespace vps::protocol
