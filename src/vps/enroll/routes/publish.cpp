// POST /v1/enrollments: a host publishes its key. The publication's own signature proves
// possession of the key; a one-time token or an operator's approval decides whether the key
// becomes the host's identity. A key never silently replaces an approved one.
//
// Anyone can publish, so the answer must not tell which names exist: a key published for a new
// name and one published for a name another key holds both get 202 {"status":"pending"}, and so
// does every later publication of either (the first key is then the host's pending key, the
// second a flagged one: telling those apart would tell the names apart again). Only approval
// shows (200 {"status":"approved"}), and only to the approved key. What an outsider can make
// the endpoint store is bounded by the pending caps (publish_limits.cpp) and expiry.
#include <vps/enroll/routes/context.hpp>

#include <vps/enroll/routes/names.hpp>
#include <vps/base/hex.hpp>
#include <vps/base/text.hpp>
#include <vps/crypto/hash.hpp>
#include <vps/protocol/signed_publication.hpp>

namespace vps::enroll::routes {

namespace {

using net::http::Response;
using store::EnrollmentStatus;
using store::HostStatus;

// One answer for unknown, expired, used and other-host tokens: nobody learns which exist.
constexpr std::string_view k_bad_token = "enrollment token invalid, expired or already used";

std::string token_hash(std::string_view token) { return hex::encode(crypto::sha256(as_bytes(token))); }

store::KeyFacts facts_of(const protocol::Publication& p) {
  return store::KeyFacts{p.ssh_public_key, p.fingerprint, p.age_recipient, p.instance_id, p.hostname, p.boot_id};
}

// 201 a host created approved (token), 200 approved, 202 waiting for an operator (see above).
Response reply(bool created, const std::string& host, HostStatus status, const std::string& fingerprint) {
  const unsigned code = status != HostStatus::approved ? 202 : created ? 201 : 200;
  return json_response(code, Json{{"status", std::string(store::to_string(status))}, {"host", host},
                                  {"fingerprint", fingerprint}});
}

struct Publishing {
  RouteContext& ctx;
  const protocol::Publication& p;
  std::string host;
  bool token_valid = false;
  std::string token_hash_hex;

  HostStatus new_status() const {
    return token_valid && ctx.policy.auto_approve_with_token ? HostStatus::approved : HostStatus::pending;
  }

  store::EnrollmentRecord enrollment(HostStatus status) const {
    store::EnrollmentRecord e;
    e.host = host;
    e.status = status == HostStatus::approved ? EnrollmentStatus::approved : EnrollmentStatus::pending;
    e.key = facts_of(p);
    e.via_token = token_valid;
    e.remote_address = ctx.request.remote_address;
    e.source = ctx.source;
    e.published_at = ctx.now;
    e.last_seen_at = ctx.now;
    return e;
  }

  Status consume_token() {
    if (!token_valid) return {};
    if (!VPS_TRY(ctx.store.use_token(token_hash_hex, ctx.now))) return fail(Errc::internal, "token used concurrently");
    return {};
  }

  std::string decided_by() const { return token_valid ? "token" : ""; }

  // A key for a host we do not know yet, or replacing a pending/rejected one.
  Result<Response> take(std::optional<store::HostRecord> existing) {
    const HostStatus status = new_status();
    store::HostRecord record;
    record.name = host;
    record.status = status;
    record.key = facts_of(p);
    record.created_at = existing ? existing->created_at : ctx.now;
    record.updated_at = ctx.now;
    record.last_seen_at = ctx.now;
    if (status == HostStatus::approved) {
      record.decided_by = "token";
      record.decided_at = ctx.now;
    }
    if (existing) {
      VPS_CHECK(ctx.store.set_enrollment_status(host, existing->key.fingerprint, EnrollmentStatus::rejected));
      VPS_CHECK(ctx.store.replace_host(record));
    } else {
      VPS_CHECK(ctx.store.insert_host(record));
    }
    if (VPS_TRY(ctx.store.find_enrollment(host, p.fingerprint))) {
      VPS_CHECK(ctx.store.set_enrollment_status(host, p.fingerprint, record.status == HostStatus::approved
                                                                         ? EnrollmentStatus::approved
                                                                         : EnrollmentStatus::pending));
      VPS_CHECK(ctx.store.touch_enrollment(host, p.fingerprint, ctx.now));
    } else {
      VPS_CHECK(ctx.store.insert_enrollment(enrollment(status)));
    }
    VPS_CHECK(consume_token());
    VPS_CHECK(audit(ctx, "host:" + host, "publish", host,
                    p.fingerprint + (token_valid ? " with token" : "") + " -> " + std::string(store::to_string(status))));
    return reply(!existing, host, status, p.fingerprint);
  }

  // Same key as the host's: idempotent; a valid token may still approve a pending host.
  Result<Response> again(const store::HostRecord& existing) {
    if (existing.status == HostStatus::rejected) {
      return error_response(403, "this key was rejected by an operator");
    }
    VPS_CHECK(ctx.store.touch_host(host, p.boot_id, ctx.now));
    VPS_CHECK(ctx.store.touch_enrollment(host, p.fingerprint, ctx.now));
    HostStatus status = existing.status;
    if (status == HostStatus::pending && token_valid && ctx.policy.auto_approve_with_token) {
      status = HostStatus::approved;
      VPS_CHECK(ctx.store.set_host_status(host, status, "token", ctx.now));
      VPS_CHECK(ctx.store.set_enrollment_status(host, p.fingerprint, EnrollmentStatus::approved));
      VPS_CHECK(consume_token());
      VPS_CHECK(audit(ctx, "host:" + host, "publish", host, p.fingerprint + " with token -> approved"));
    }
    return reply(false, host, status, p.fingerprint);
  }

  // A different key for a host that has one: remembered as flagged, never used, and answered
  // like a new name (an operator decides: rejecting the host's key lets this one publish anew).
  Result<Response> foreign(const store::HostRecord& existing, const std::optional<store::EnrollmentRecord>& known) {
    if (known && known->status != EnrollmentStatus::flagged) {
      // A key this host had before (superseded or rejected): it does not come back by itself.
      // Only its holder gets here, so saying so reveals nothing.
      return error_response(409, "this key is no longer the host's key");
    }
    if (known) {
      VPS_CHECK(ctx.store.touch_enrollment(host, p.fingerprint, ctx.now));
    } else if (VPS_TRY(ctx.store.count_flagged(host)) < ctx.policy.max_flagged_per_host) {
      auto record = enrollment(HostStatus::pending);
      record.status = EnrollmentStatus::flagged;
      VPS_CHECK(ctx.store.insert_enrollment(record));
      VPS_CHECK(audit(ctx, "host:" + host, "flag", host,
                      "different key " + p.fingerprint + " published; enrolled key " + existing.key.fingerprint +
                          " kept"));
    }
    return reply(false, host, HostStatus::pending, p.fingerprint);
  }
};

}  // namespace

Response publish(RouteContext& ctx) {
  auto parsed = protocol::parse_signed_publication(ctx.request.body);
  if (!parsed) return error_response(400, parsed.error().message);
  if (auto verified = protocol::verify(*parsed); !verified) return error_response(401, "bad publication signature");
  const protocol::Publication& p = parsed->publication;
  if (auto fresh = protocol::check_freshness(p, ctx.now, ctx.policy.auth.max_skew_seconds); !fresh) {
    return error_response(401, fresh.error().message);
  }
  if (!ctx.policy.auth.endpoints->accepts(p.endpoint)) {
    return error_response(401, "publication was made for endpoint " + p.endpoint + ", not for this one (" +
                                   ctx.policy.auth.endpoints->describe() + ")");
  }
  Publishing pub{ctx, p, text::ascii_lower(p.hostname), false, {}};
  if (!valid_host_name(pub.host)) return error_response(400, "hostname is not a valid host name ([a-z0-9][a-z0-9.-]{0,62})");
  auto fresh_nonce = ctx.store.remember_nonce(p.nonce, auth::nonce_expiry(p.timestamp, ctx.policy.auth), ctx.now);
  if (!fresh_nonce) return internal_error(fresh_nonce.error());
  if (!*fresh_nonce) return error_response(401, "nonce already used (replayed publication)");
  // A revoked or replaced key is refused for good, under any name (only its holder gets here).
  if (auto refused = refuse_retired_key(ctx, p.fingerprint)) return std::move(*refused);

  if (p.token) {
    pub.token_hash_hex = token_hash(*p.token);
    auto token = ctx.store.find_token(pub.token_hash_hex);
    if (!token) return internal_error(token.error());
    pub.token_valid = *token && !(*token)->used_at && (*token)->expires_at > ctx.now && (*token)->host == pub.host;
    if (!pub.token_valid) return error_response(403, k_bad_token);
  }
  auto existing = ctx.store.find_host(pub.host);
  if (!existing) return internal_error(existing.error());
  auto known = ctx.store.find_enrollment(pub.host, p.fingerprint);
  if (!known) return internal_error(known.error());
  // A key not yet published for this name would add a pending key (a new host, a flagged key,
  // or a rejected host's new one) unless a token vouches for it. Whether the name exists plays
  // no part, so the refusal reveals nothing either.
  if (!*known && !pub.token_valid) {
    if (auto refused = check_pending_caps(ctx, pub.host)) return std::move(*refused);
  }
  Result<Response> result;
  if (!*existing) {
    result = pub.take(std::nullopt);
  } else if ((*existing)->key.fingerprint == p.fingerprint) {
    result = pub.again(**existing);
  } else if ((*existing)->status == HostStatus::rejected || ((*existing)->status == HostStatus::pending && pub.token_valid)) {
    // A rejected host may enroll anew; a token proves the operator wants this key, not the pending one.
    result = pub.take(*existing);
  } else {
    result = pub.foreign(**existing, *known);
  }
  if (!result) return internal_error(result.error());
  return *result;
}

}  // namespace vps::enroll::routes
