#include <vps/enroll/routes/json_io.hpp>

#include <vps/protocol/strict_json.hpp>

namespace vps::enroll::routes {

net::http::Response error_response(unsigned status, std::string_view reason) {
  return net::http::Response::json(status, Json{{"error", std::string(reason)}}.dump() + "\n");
}

net::http::Response json_response(unsigned status, const Json& body) {
  return net::http::Response::json(status, body.dump() + "\n");
}

tl::expected<Json, net::http::Response> parse_object(std::string_view body, std::initializer_list<std::string_view> allowed,
                                                     bool allow_empty) {
  if (body.empty() && allow_empty) return Json::object();
  auto value = protocol::parse_strict_object(body, "request body", allowed);
  if (!value) return tl::unexpected(error_response(400, value.error().message));
  return std::move(*value);
}

Json host_json(const store::HostRecord& host) {
  Json out{{"name", host.name},
           {"status", std::string(store::to_string(host.status))},
           {"fingerprint", host.key.fingerprint},
           {"ssh_public_key", host.key.ssh_public_key},
           {"age_recipient", host.key.age_recipient},
           {"instance_id", host.key.instance_id},
           {"hostname", host.key.hostname},
           {"boot_id", host.key.boot_id},
           {"created_at", host.created_at},
           {"updated_at", host.updated_at},
           {"last_seen_at", host.last_seen_at}};
  out["decided_by"] = host.decided_by ? Json(*host.decided_by) : Json(nullptr);
  out["decided_at"] = host.decided_at ? Json(*host.decided_at) : Json(nullptr);
  return out;
}

Json enrollment_json(const store::EnrollmentRecord& e) {
  return Json{{"status", std::string(store::to_string(e.status))},
              {"fingerprint", e.key.fingerprint},
              {"ssh_public_key", e.key.ssh_public_key},
              {"age_recipient", e.key.age_recipient},
              {"instance_id", e.key.instance_id},
              {"hostname", e.key.hostname},
              {"via_token", e.via_token},
              {"remote_address", e.remote_address},
              {"source", e.source},
              {"published_at", e.published_at},
              {"last_seen_at", e.last_seen_at}};
}

Json bundle_json(const store::BundleInfo& b) {
  return Json{{"name", b.name},           {"sha256", b.sha256},       {"size", b.size},
              {"uploaded_by", b.uploaded_by}, {"uploaded_at", b.uploaded_at}, {"sequence", b.sequence},
              {"manifest", b.manifest},   {"signature", b.signature}};
}

Json audit_json(const store::AuditEntry& a) {
  return Json{{"at", a.at}, {"actor", a.actor}, {"action", a.action}, {"target", a.target}, {"detail", a.detail}};
}

}  // namespace vps::enroll::routes
