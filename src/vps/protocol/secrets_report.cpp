#include <vps/protocol/secrets_report.hpp>

#include <set>

#include <nlohmann/json.hpp>

namespace vps::protocol {

namespace {

using json = nlohmann::ordered_json;

Error malformed(std::string what) { return Error{Errc::malformed, "secrets report: " + std::move(what)}; }

// The strings are shown on an operator's terminal and written to the journal: text only.
Status check_string(const std::string& value, const std::string& where) {
  if (value.size() > k_max_secrets_report_string) {
    return fail(malformed(where + " is longer than " + std::to_string(k_max_secrets_report_string) + " bytes"));
  }
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return fail(malformed(where + " contains a control character"));
  }
  return {};
}

Status check_keys(const json& object, const std::set<std::string>& required, const std::set<std::string>& optional,
                  const std::string& where) {
  if (!object.is_object()) return fail(malformed(where + " must be an object"));
  for (const auto& item : object.items()) {
    if (!required.contains(item.key()) && !optional.contains(item.key())) {
      return fail(malformed(where + ": unknown field \"" + item.key() + "\""));
    }
  }
  for (const auto& key : required) {
    if (!object.contains(key)) return fail(malformed(where + ": missing \"" + key + "\""));
  }
  return {};
}

Result<std::string> string_of(const json& object, const char* key, const std::string& where) {
  const json& value = object.at(key);
  if (!value.is_string()) return fail(malformed(where + "." + key + " must be a string"));
  std::string out = value.get<std::string>();
  VPS_CHECK(check_string(out, where + "." + key));
  return out;
}

const json& array_of(const json& object, const char* key) { return object.at(key); }

bool is_sha256_hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<json> parse_strict(std::string_view text) {
  std::vector<std::set<std::string>> keys;
  bool duplicate = false;
  bool too_deep = false;
  auto callback = [&](int depth, json::parse_event_t event, json& parsed) {
    if (depth > 4) {  // report -> array -> item -> value: nothing nests deeper
      too_deep = true;
      return false;
    }
    if (event == json::parse_event_t::object_start) keys.emplace_back();
    if (event == json::parse_event_t::object_end && !keys.empty()) keys.pop_back();
    if (event == json::parse_event_t::key && !keys.empty() && !keys.back().insert(parsed.get<std::string>()).second) {
      duplicate = true;
    }
    return true;
  };
  json value = json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/false);
  if (too_deep) return fail(malformed("nested too deeply"));
  if (value.is_discarded()) return fail(malformed("not valid JSON"));
  if (duplicate) return fail(malformed("duplicate key"));
  return value;
}

Status check_report(const SecretsReport& r) {
  if (r.updated_at < 0) return fail(malformed("updated_at must not be negative"));
  if (r.pending.size() > k_max_secrets_report_items) return fail(malformed("more than 1024 pending secrets"));
  if (r.bundles.size() > k_max_secrets_report_items) return fail(malformed("more than 1024 bundles"));
  for (const auto& p : r.pending) {
    VPS_CHECK(check_string(p.secret, "pending.secret"));
    VPS_CHECK(check_string(p.source, "pending.source"));
    VPS_CHECK(check_string(p.reason, "pending.reason"));
  }
  for (const auto& b : r.bundles) {
    VPS_CHECK(check_string(b.name, "bundles.name"));
    if (!is_sha256_hex(b.sha256)) return fail(malformed("bundles.sha256 must be 64 lowercase hex digits"));
    if (b.sequence < 0) return fail(malformed("bundles.sequence must not be negative"));
    VPS_CHECK(check_string(b.detail, "bundles.detail"));
  }
  return {};
}

}  // namespace

std::string_view to_string(BundleOutcome outcome) {
  return outcome == BundleOutcome::refused ? "refused" : "installed";
}

Result<SecretsReport> parse_secrets_report(std::string_view text) {
  if (text.size() > k_max_secrets_report_bytes) return fail(malformed("larger than 64 KiB"));
  const json document = VPS_TRY(parse_strict(text));
  VPS_CHECK(check_keys(document, {"generation", "updated_at", "pending", "bundles"}, {}, "report"));
  SecretsReport out;
  const json& generation = document.at("generation");
  if (generation.is_number_unsigned()) out.generation = generation.get<std::uint64_t>();
  else if (!generation.is_null()) return fail(malformed("generation must be a non-negative integer or null"));
  const json& updated = document.at("updated_at");
  if (!updated.is_number_integer() || (updated.is_number_integer() && updated.get<std::int64_t>() < 0)) {
    return fail(malformed("updated_at must be Unix seconds"));
  }
  if (updated.is_number_unsigned() && updated.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
    return fail(malformed("updated_at out of range"));
  }
  out.updated_at = updated.get<std::int64_t>();
  const json& pending = array_of(document, "pending");
  if (!pending.is_array()) return fail(malformed("pending must be an array"));
  if (pending.size() > k_max_secrets_report_items) return fail(malformed("more than 1024 pending secrets"));
  for (const json& item : pending) {
    VPS_CHECK(check_keys(item, {"secret", "source", "reason"}, {}, "pending item"));
    PendingSecret p;
    p.secret = VPS_TRY(string_of(item, "secret", "pending"));
    p.source = VPS_TRY(string_of(item, "source", "pending"));
    p.reason = VPS_TRY(string_of(item, "reason", "pending"));
    out.pending.push_back(std::move(p));
  }
  const json& bundles = array_of(document, "bundles");
  if (!bundles.is_array()) return fail(malformed("bundles must be an array"));
  if (bundles.size() > k_max_secrets_report_items) return fail(malformed("more than 1024 bundles"));
  for (const json& item : bundles) {
    VPS_CHECK(check_keys(item, {"name", "sha256", "sequence", "outcome"}, {"detail"}, "bundles item"));
    BundleReport b;
    b.name = VPS_TRY(string_of(item, "name", "bundles"));
    b.sha256 = VPS_TRY(string_of(item, "sha256", "bundles"));
    if (!is_sha256_hex(b.sha256)) return fail(malformed("bundles.sha256 must be 64 lowercase hex digits"));
    const json& sequence = item.at("sequence");
    if (!sequence.is_number_integer() || sequence.get<std::int64_t>() < 0 ||
        (sequence.is_number_unsigned() && sequence.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))) {
      return fail(malformed("bundles.sequence must be a non-negative integer"));
    }
    b.sequence = sequence.get<std::int64_t>();
    const std::string outcome = VPS_TRY(string_of(item, "outcome", "bundles"));
    if (outcome == "installed") b.outcome = BundleOutcome::installed;
    else if (outcome == "refused") b.outcome = BundleOutcome::refused;
    else return fail(malformed("bundles.outcome must be \"installed\" or \"refused\""));
    if (item.contains("detail")) b.detail = VPS_TRY(string_of(item, "detail", "bundles"));
    out.bundles.push_back(std::move(b));
  }
  return out;
}

Result<std::string> serialize_secrets_report(const SecretsReport& r) {
  VPS_CHECK(check_report(r));
  json out;
  out["generation"] = r.generation ? json(*r.generation) : json(nullptr);
  out["updated_at"] = r.updated_at;
  json pending = json::array();
  for (const auto& p : r.pending) pending.push_back(json{{"secret", p.secret}, {"source", p.source}, {"reason", p.reason}});
  out["pending"] = std::move(pending);
  json bundles = json::array();
  for (const auto& b : r.bundles) {
    bundles.push_back(json{{"name", b.name},
                           {"sha256", b.sha256},
                           {"sequence", b.sequence},
                           {"outcome", std::string(to_string(b.outcome))},
                           {"detail", b.detail}});
  }
  out["bundles"] = std::move(bundles);
  // Invalid UTF-8 in a string throws from dump(); replace keeps serialize total, and the
  // replacement characters are what parse then reads.
  std::string text = out.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > k_max_secrets_report_bytes) return fail(malformed("larger than 64 KiB"));
  return text;
}

}  // namespace vps::protocol
