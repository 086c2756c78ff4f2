// A host's key after approval: revocation (POST /v1/hosts/{h}/revoke) and replacement by a
// re-provisioned instance's new key (POST /v1/hosts/{h}/approve with "replace": true). Either
// way the old key is retired for good (store retired_keys: refused wherever it signs, under any
// host name), the host's bundles are deleted (they are encrypted to that key), its rebuilds not
// yet started are cancelled (they are bound to that key), all in the request's transaction with
// one audit entry. Rotating what the old key could read is the operator's part, offline
// (`vps-enroll rekey --remove`): the answer says so.
#include <vps/base/text.hpp>
#include <vps/enroll/routes/context.hpp>

namespace vps::enroll::routes {

namespace {

using net::http::Response;
using store::EnrollmentStatus;
using store::HostStatus;

constexpr std::size_t k_max_reason = 1024;

Response coded(unsigned status, const std::string& code, const std::string& reason, Json extra = Json::object()) {
  extra["error"] = reason;
  extra["code"] = code;
  return json_response(status, extra);
}

std::string joined_ids(const std::vector<std::int64_t>& ids) {
  std::string out;
  for (const auto id : ids) out += (out.empty() ? "#" : ", #") + std::to_string(id);
  return out.empty() ? "none" : out;
}

// What retiring a key took away.
struct Retired {
  std::vector<std::string> deleted_bundles;
  std::vector<std::int64_t> cancelled_rebuilds;
  std::int64_t abandoned_rebuilds = 0;  // running when retired: marked failed

  void add_to(Json& out) const {
    out["deleted_bundles"] = deleted_bundles;
    out["cancelled_rebuilds"] = cancelled_rebuilds;
    out["abandoned_rebuilds"] = abandoned_rebuilds;
  }
  std::string detail() const {
    return "bundles deleted: " + text::join(deleted_bundles, ", ", "none") +
           "; rebuilds cancelled: " + joined_ids(cancelled_rebuilds) +
           (abandoned_rebuilds > 0 ? "; running rebuilds marked failed: " + std::to_string(abandoned_rebuilds) : "");
  }
};

// The part revoke and replace share: the key goes to retired_keys, the host's bundles and
// unstarted rebuilds go, parked polls of the host are woken after the commit.
Result<Retired> retire(RouteContext& ctx, const auth::Caller& caller, const store::HostRecord& host,
                       std::string kind, const std::string& reason) {
  store::RetiredKey key;
  key.host = host.name;
  key.fingerprint = host.key.fingerprint;
  key.ssh_public_key = host.key.ssh_public_key;
  key.age_recipient = host.key.age_recipient;
  key.kind = std::move(kind);
  key.retired_at = ctx.now;
  key.retired_by = *caller.operator_name;
  key.reason = reason;
  VPS_CHECK(ctx.store.retire_key(key));
  Retired out;
  out.deleted_bundles = VPS_TRY(ctx.store.delete_bundles(host.name));
  const std::string why = "host key " + host.key.fingerprint + " " + (key.kind == "revoked" ? "revoked" : "replaced") +
                          " by operator " + *caller.operator_name + " before the rebuild started";
  out.cancelled_rebuilds = VPS_TRY(ctx.store.cancel_rebuilds(host.name, ctx.now, why));
  out.abandoned_rebuilds = VPS_TRY(ctx.store.abandon_unfinished_rebuilds(
      host.name, ctx.now, "no result reported: the host key was " + key.kind + " while the rebuild ran"));
  VPS_CHECK(bundles_changed(ctx, host.name));
  ctx.queued_rebuilds.push_back(host.name);  // a parked rebuild poll gets its 403 now
  return out;
}

std::string rekey_hint(const std::string& old_recipient, const std::optional<std::string>& new_recipient) {
  std::string out;
  if (new_recipient) out += "vps-enroll rekey --recipient " + *new_recipient + " <your secrets dirs>; ";
  return out + "vps-enroll rekey --remove " + old_recipient + " <your secrets dirs>";
}

}  // namespace

std::optional<Response> refuse_retired_key(store::Store& store, const std::string& fingerprint) {
  auto retired = store.find_retired_key(fingerprint);
  if (!retired) return internal_error(retired.error());
  if (!*retired) return std::nullopt;
  const store::RetiredKey& k = **retired;
  const bool revoked = k.kind == "revoked";
  return coded(403, revoked ? "revoked" : "retired",
               "key " + fingerprint + " of host '" + k.host + "' was " + (revoked ? "revoked" : "replaced by a new key") +
                   " by operator " + k.retired_by + "; it is refused for good");
}

std::optional<Response> refuse_retired_key(RouteContext& ctx, const std::string& fingerprint) {
  return refuse_retired_key(ctx.store, fingerprint);
}

Response revoke_host(RouteContext& ctx, const auth::Caller& caller, const std::string& name) {
  if (auto ok = auth::require_operator(caller); !ok) return error_response(ok.error().status, ok.error().reason);
  auto body = parse_object(ctx.request.body, {"reason"}, /*allow_empty=*/true);
  if (!body) return std::move(body).error();
  std::string reason;
  if (body->contains("reason")) {
    if (!(*body)["reason"].is_string()) return error_response(400, "\"reason\" must be a string");
    reason = (*body)["reason"].get<std::string>();
    if (reason.size() > k_max_reason) return error_response(400, "\"reason\" is longer than 1024 bytes");
    for (const char c : reason) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return error_response(400, "\"reason\" contains control characters");
    }
  }
  auto found = ctx.store.find_host(name);
  if (!found) return internal_error(found.error());
  if (!*found) return error_response(404, "no host named '" + name + "'");
  const store::HostRecord& host = **found;
  if (host.status == HostStatus::revoked) {
    return coded(409, "already_revoked",
                 "host '" + name + "' is already revoked (key " + host.key.fingerprint + ", by " +
                     host.decided_by.value_or("?") + "); nothing changed",
                 Json{{"host", name}, {"fingerprint", host.key.fingerprint}});
  }
  auto retired = retire(ctx, caller, host, "revoked", reason);
  Status written = retired ? Status{} : Status(tl::unexpected(retired.error()));
  if (written) written = ctx.store.set_host_status(name, HostStatus::revoked, *caller.operator_name, ctx.now);
  if (written) written = ctx.store.set_enrollment_status(name, host.key.fingerprint, EnrollmentStatus::revoked);
  if (written) {
    written = audit(ctx, caller.actor(), "revoke", name,
                    "key " + host.key.fingerprint + (reason.empty() ? "" : "; reason: " + reason) + "; " +
                        retired->detail());
  }
  if (!written) return internal_error(written.error());
  Json out{{"host", name},
           {"status", std::string(store::to_string(HostStatus::revoked))},
           {"changed", true},
           {"fingerprint", host.key.fingerprint},
           {"age_recipient", host.key.age_recipient},
           {"reason", reason},
           {"next", rekey_hint(host.key.age_recipient, std::nullopt)}};
  retired->add_to(out);
  return json_response(200, out);
}

Response replace_host_key(RouteContext& ctx, const auth::Caller& caller, const std::string& name,
                          const std::optional<std::string>& fingerprint) {
  if (!fingerprint) {
    return coded(400, "fingerprint_required",
                 "replacing a host's key needs the new key's fingerprint (\"fingerprint\": the SHA256:... the new "
                 "instance printed on its console)");
  }
  auto found = ctx.store.find_host(name);
  if (!found) return internal_error(found.error());
  if (!*found) return error_response(404, "no host named '" + name + "'");
  const store::HostRecord& old = **found;
  auto enrollments = ctx.store.enrollments_for(name);
  if (!enrollments) return internal_error(enrollments.error());
  const store::EnrollmentRecord* chosen = nullptr;
  Json waiting = Json::array();
  for (const auto& e : *enrollments) {
    const bool candidate = e.key.fingerprint != old.key.fingerprint &&
                           (e.status == EnrollmentStatus::flagged || e.status == EnrollmentStatus::pending);
    if (!candidate) continue;
    waiting.push_back(e.key.fingerprint);
    if (e.key.fingerprint == *fingerprint) chosen = &e;
  }
  if (!chosen) {
    return coded(409, "unknown_key",
                 "no new key " + *fingerprint + " was published for host '" + name + "' (" +
                     (waiting.empty() ? std::string("no new key waits")
                                      : std::to_string(waiting.size()) + " new key(s) wait: see vps-enroll show " + name) +
                     "); the re-provisioned instance must publish first, and --fingerprint must be the one on its "
                     "console; nothing changed",
                 Json{{"host", name}, {"published", std::move(waiting)}});
  }
  const store::EnrollmentRecord fresh = *chosen;
  auto retired = retire(ctx, caller, old, "replaced", "replaced by " + fresh.key.fingerprint);
  Status written = retired ? Status{} : Status(tl::unexpected(retired.error()));
  store::HostRecord record = old;
  record.status = HostStatus::approved;
  record.key = fresh.key;
  record.updated_at = ctx.now;
  record.last_seen_at = fresh.last_seen_at;
  record.decided_by = *caller.operator_name;
  record.decided_at = ctx.now;
  if (written) written = ctx.store.replace_host(record);
  if (written && old.status != HostStatus::revoked) {
    written = ctx.store.set_enrollment_status(name, old.key.fingerprint, EnrollmentStatus::retired);
  }
  if (written) written = ctx.store.set_enrollment_status(name, fresh.key.fingerprint, EnrollmentStatus::approved);
  if (written) {
    written = audit(ctx, caller.actor(), "replace", name,
                    "key " + old.key.fingerprint + " (" + std::string(store::to_string(old.status)) + ") retired, " +
                        fresh.key.fingerprint + " approved (fingerprint checked); " + retired->detail());
  }
  if (!written) return internal_error(written.error());
  Json out{{"host", name},
           {"status", std::string(store::to_string(HostStatus::approved))},
           {"changed", true},
           {"replaced", true},
           {"fingerprint", fresh.key.fingerprint},
           {"age_recipient", fresh.key.age_recipient},
           {"old_fingerprint", old.key.fingerprint},
           {"old_age_recipient", old.key.age_recipient},
           {"old_status", std::string(store::to_string(old.status))},
           {"next", rekey_hint(old.key.age_recipient, fresh.key.age_recipient)}};
  retired->add_to(out);
  return json_response(200, out);
}

}  // namespace vps::enroll::routes
