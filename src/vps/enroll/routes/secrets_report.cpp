// POST /v1/hosts/{host}/secrets/report: a host tells the operator what it has active, what is
// pending and why, and which bundles it refused (protocol/secrets_report.hpp). The endpoint
// keeps the latest report per host, shown by `vps-enroll show`. A host reports after every
// activation and on a timer; the audit trail gets an entry only when the report says something
// new (its content apart from updated_at), so a quiet host does not flood it.
#include <vps/enroll/routes/context.hpp>

#include <vps/protocol/secrets_report.hpp>

namespace vps::enroll::routes {

namespace {

using net::http::Response;

// The report with updated_at cleared: what "says something new" compares.
std::string content_of(protocol::SecretsReport report) {
  report.updated_at = 0;
  auto text = protocol::serialize_secrets_report(report);
  return text ? *text : std::string();
}

std::string summary(const protocol::SecretsReport& r) {
  std::size_t refused = 0;
  for (const auto& b : r.bundles) refused += b.outcome == protocol::BundleOutcome::refused ? 1 : 0;
  std::string out = "generation " + (r.generation ? std::to_string(*r.generation) : std::string("none")) + ", " +
                    std::to_string(r.pending.size()) + " pending secret(s), " + std::to_string(refused) +
                    " refused bundle(s)";
  for (const auto& b : r.bundles) {
    if (b.outcome == protocol::BundleOutcome::refused) out += "; refused " + b.name;
  }
  return out;
}

}  // namespace

Response report_secrets(RouteContext& ctx, const auth::Caller& caller, const std::string& name) {
  if (auto refused = refuse_retired_key(ctx, caller.fingerprint)) return std::move(*refused);
  auto host = ctx.store.find_host(name);
  if (!host) return internal_error(host.error());
  const bool own = *host && (*host)->key.fingerprint == caller.fingerprint;
  if (!own || (*host)->status != store::HostStatus::approved) {
    return error_response(403, "key " + caller.fingerprint + " may not report for host '" + name + "'");
  }
  auto report = protocol::parse_secrets_report(ctx.request.body);
  if (!report) return error_response(400, report.error().message);
  auto text = protocol::serialize_secrets_report(*report);
  if (!text) return error_response(400, text.error().message);
  auto previous = ctx.store.find_secrets_report(name);
  if (!previous) return internal_error(previous.error());
  bool changed = true;
  if (*previous) {
    auto before = protocol::parse_secrets_report((*previous)->report);
    changed = !before || content_of(*before) != content_of(*report);
  }
  Status written = ctx.store.put_secrets_report(name, *text, ctx.now);
  if (written && changed) written = audit(ctx, "host:" + name, "secrets-report", name, summary(*report));
  if (!written) return internal_error(written.error());
  return json_response(200, Json{{"host", name}, {"stored", true}, {"changed", changed}});
}

Result<Json> secrets_report_json(store::Store& store, const std::string& host) {
  auto stored = VPS_TRY(store.find_secrets_report(host));
  if (!stored) return Json(nullptr);
  Json out = Json::parse(stored->report, nullptr, /*allow_exceptions=*/false);
  if (!out.is_object()) return Json(nullptr);
  out["received_at"] = stored->received_at;
  return out;
}

}  // namespace vps::enroll::routes
