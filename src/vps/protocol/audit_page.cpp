#include <vps/protocol/audit_page.hpp>

#include <vps/protocol/json_fields.hpp>

namespace vps::protocol {

using Json = nlohmann::json;

Json to_json(const AuditRecord& r) {
  return Json{{"id", r.id},         {"at", r.at},         {"actor", r.actor},
              {"action", r.action}, {"target", r.target}, {"detail", r.detail}};
}

Json to_json(const AuditPage& page) {
  Json entries = Json::array();
  for (const auto& r : page.entries) entries.push_back(to_json(r));
  return Json{{"entries", std::move(entries)}, {"next", json_fields::or_null(page.next)}};
}

Result<AuditRecord> parse_audit_record(const Json& value) {
  constexpr std::string_view what = "endpoint's audit entry";
  if (!value.is_object()) return json_fields::malformed(what, "not a JSON object");
  AuditRecord r;
  r.id = VPS_TRY(json_fields::required_integer(value, "id", what));
  r.at = VPS_TRY(json_fields::required_integer(value, "at", what));
  r.actor = VPS_TRY(json_fields::required_string(value, "actor", what));
  r.action = VPS_TRY(json_fields::required_string(value, "action", what));
  r.target = VPS_TRY(json_fields::required_string(value, "target", what));
  r.detail = VPS_TRY(json_fields::optional_string(value, "detail", what)).value_or("");
  return r;
}

Result<AuditPage> parse_audit_page(const Json& value) {
  constexpr std::string_view what = "endpoint's audit page";
  if (!value.is_object()) return json_fields::malformed(what, "not a JSON object");
  auto entries = value.find("entries");
  if (entries == value.end() || !entries->is_array()) return json_fields::malformed(what, "\"entries\" (array) is required");
  if (entries->size() > static_cast<std::size_t>(k_max_audit_page))
    return json_fields::malformed(what, "more entries than a page holds");
  AuditPage page;
  for (const auto& item : *entries) page.entries.push_back(VPS_TRY(parse_audit_record(item)));
  page.next = VPS_TRY(json_fields::optional_integer(value, "next", what));
  return page;
}

}  // namespace vps::protocol
