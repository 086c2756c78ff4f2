// Operator views and decisions on hosts, and a host's view of its own status.
#include <vps/enroll/routes/context.hpp>

namespace vps::enroll::routes {

namespace {

using net::http::Response;
using store::EnrollmentStatus;
using store::HostStatus;

Response denied(const auth::Denial& denial) { return error_response(denial.status, denial.reason); }

// Loads the host, or the 404 to send.
tl::expected<store::HostRecord, Response> load(RouteContext& ctx, const std::string& name) {
  auto host = ctx.store.find_host(name);
  if (!host) return tl::unexpected(internal_error(host.error()));
  if (!*host) return tl::unexpected(error_response(404, "no host named '" + name + "'"));
  return std::move(**host);
}

Result<Json> details(RouteContext& ctx, const store::HostRecord& host) {
  Json out = host_json(host);
  Json history = Json::array();
  for (const auto& e : VPS_TRY(ctx.store.enrollments_for(host.name))) history.push_back(enrollment_json(e));
  out["enrollments"] = std::move(history);
  Json bundles = Json::array();
  for (const auto& b : VPS_TRY(ctx.store.list_bundles(host.name))) bundles.push_back(bundle_json(b));
  out["bundles"] = std::move(bundles);
  Json trail = Json::array();
  for (const auto& a : VPS_TRY(ctx.store.audit_for(host.name, 50))) trail.push_back(audit_json(a));
  out["audit"] = std::move(trail);
  Json retired = Json::array();
  for (const auto& k : VPS_TRY(ctx.store.retired_keys_for(host.name))) {
    retired.push_back(Json{{"fingerprint", k.fingerprint}, {"age_recipient", k.age_recipient}, {"kind", k.kind},
                           {"retired_at", k.retired_at}, {"retired_by", k.retired_by}, {"reason", k.reason}});
  }
  out["retired_keys"] = std::move(retired);
  out["secrets_report"] = VPS_TRY(secrets_report_json(ctx.store, host.name));
  return out;
}

}  // namespace

Response list_hosts(RouteContext& ctx, const auth::Caller& caller) {
  if (auto ok = auth::require_operator(caller); !ok) return denied(ok.error());
  // One row more than the page tells whether another page follows.
  store::HostPage page = ctx.host_page;
  page.limit += 1;
  auto hosts = ctx.store.list_hosts(page);
  if (!hosts) return internal_error(hosts.error());
  const bool more = hosts->size() > ctx.host_page.limit;
  if (more) hosts->pop_back();
  Json list = Json::array();
  for (const auto& host : *hosts) {
    Json item = host_json(host);
    auto flagged = ctx.store.count_flagged(host.name);
    if (!flagged) return internal_error(flagged.error());
    item["flagged_keys"] = *flagged;
    list.push_back(std::move(item));
  }
  Json next = more ? Json(hosts->back().name) : Json(nullptr);
  return json_response(200, Json{{"hosts", std::move(list)}, {"next", std::move(next)}});
}

Response show_host(RouteContext& ctx, const auth::Caller& caller, const std::string& name) {
  if (auto ok = auth::require_operator(caller); !ok) return denied(ok.error());
  auto host = load(ctx, name);
  if (!host) return std::move(host).error();
  auto body = details(ctx, *host);
  if (!body) return internal_error(body.error());
  return json_response(200, *body);
}

Response approve_host(RouteContext& ctx, const auth::Caller& caller, const std::string& name) {
  if (auto ok = auth::require_operator(caller); !ok) return denied(ok.error());
  auto body = parse_object(ctx.request.body, {"fingerprint", "replace"}, /*allow_empty=*/true);
  if (!body) return std::move(body).error();
  std::optional<std::string> expected;
  if (body->contains("fingerprint")) {
    if (!(*body)["fingerprint"].is_string()) return error_response(400, "\"fingerprint\" must be a string");
    expected = (*body)["fingerprint"].get<std::string>();
  }
  if (body->contains("replace")) {
    if (!(*body)["replace"].is_boolean()) return error_response(400, "\"replace\" must be true or false");
    if ((*body)["replace"].get<bool>()) return replace_host_key(ctx, caller, name, expected);
  }
  auto host = load(ctx, name);
  if (!host) return std::move(host).error();
  if (host->status == HostStatus::revoked) {
    return json_response(409, Json{{"error", "host '" + name + "' is revoked; approve a new key for it with approve "
                                             "--replace --fingerprint SHA256:..."},
                                   {"code", "revoked"}});
  }
  if (expected && *expected != host->key.fingerprint) {
    return json_response(409, Json{{"error", "fingerprint mismatch: the host published " + host->key.fingerprint},
                                   {"fingerprint", host->key.fingerprint}});
  }
  if (host->status == HostStatus::rejected) {
    return error_response(409, "host '" + name + "' was rejected; it must publish again before approval");
  }
  if (host->status == HostStatus::approved) {
    return json_response(200, Json{{"host", name}, {"status", std::string(store::to_string(store::HostStatus::approved))}, {"fingerprint", host->key.fingerprint},
                                   {"changed", false}});
  }
  Status written = ctx.store.set_host_status(name, HostStatus::approved, *caller.operator_name, ctx.now);
  if (written) written = ctx.store.set_enrollment_status(name, host->key.fingerprint, EnrollmentStatus::approved);
  if (written) {
    written = audit(ctx, caller.actor(), "approve", name,
                    host->key.fingerprint + (expected ? " (fingerprint checked)" : " (fingerprint not checked)"));
  }
  if (!written) return internal_error(written.error());
  return json_response(200, Json{{"host", name}, {"status", std::string(store::to_string(store::HostStatus::approved))}, {"fingerprint", host->key.fingerprint},
                                 {"changed", true}});
}

Response reject_host(RouteContext& ctx, const auth::Caller& caller, const std::string& name) {
  if (auto ok = auth::require_operator(caller); !ok) return denied(ok.error());
  auto body = parse_object(ctx.request.body, {}, /*allow_empty=*/true);
  if (!body) return std::move(body).error();
  auto host = load(ctx, name);
  if (!host) return std::move(host).error();
  const bool changed = host->status != HostStatus::rejected;
  if (changed) {
    Status written = ctx.store.set_host_status(name, HostStatus::rejected, *caller.operator_name, ctx.now);
    if (written) written = ctx.store.set_enrollment_status(name, host->key.fingerprint, EnrollmentStatus::rejected);
    if (written) written = audit(ctx, caller.actor(), "reject", name, host->key.fingerprint);
    if (!written) return internal_error(written.error());
  }
  return json_response(200, Json{{"host", name}, {"status", std::string(store::to_string(store::HostStatus::rejected))}, {"fingerprint", host->key.fingerprint},
                                 {"changed", changed}});
}

Response host_status(RouteContext& ctx, const auth::Caller& caller, const std::string& name) {
  auto host = ctx.store.find_host(name);
  if (!host) return internal_error(host.error());
  const bool own = *host && (*host)->key.fingerprint == caller.fingerprint;
  // The same 403 whether the host exists or not: a host learns nothing about others.
  if (!caller.is_operator() && !own) return error_response(403, "key " + caller.fingerprint + " may not read host '" + name + "'");
  if (!*host) return error_response(404, "no host named '" + name + "'");
  auto bundles = ctx.store.list_bundles(name);
  if (!bundles) return internal_error(bundles.error());
  Json names = Json::array();
  for (const auto& b : *bundles) names.push_back(bundle_json(b));
  return json_response(200, Json{{"host", name},
                                 {"status", std::string(store::to_string((*host)->status))},
                                 {"fingerprint", (*host)->key.fingerprint},
                                 {"age_recipient", (*host)->key.age_recipient},
                                 {"bundles", std::move(names)}});
}

}  // namespace vps::enroll::routes
