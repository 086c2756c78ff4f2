// Per-host ciphertext bundles: operators upload files re-encrypted for a host, each with a
// manifest they signed (protocol/bundle_manifest.hpp); the host fetches its own with requests
// signed by its host key and installs a bundle only after verifying the manifest against its
// OWN operator list. The endpoint checks the manifest too (it stores nothing an operator did
// not sign, and nothing older than what it has), but it is a filter, not the authority. It
// refuses anything that does not look like age or sops ciphertext, so plaintext is not stored
// by mistake.
#include <vps/enroll/routes/context.hpp>

#include <vps/base/base64.hpp>
#include <vps/base/hex.hpp>
#include <vps/crypto/hash.hpp>
#include <vps/protocol/bundle_manifest.hpp>
#include <vps/protocol/operator_sequence.hpp>

namespace vps::enroll::routes {

namespace {

using net::http::Response;

// Operators may read every host's bundles; a host only its own, and only once approved.
// Unknown host and foreign host get the same 403, so hosts learn nothing about each other.
tl::expected<void, Response> may_read(RouteContext& ctx, const auth::Caller& caller, const std::string& name) {
  if (caller.is_operator()) return {};
  if (auto refused = refuse_retired_key(ctx, caller.fingerprint)) return tl::unexpected(std::move(*refused));
  auto host = ctx.store.find_host(name);
  if (!host) return tl::unexpected(internal_error(host.error()));
  const bool own = *host && (*host)->key.fingerprint == caller.fingerprint;
  if (!own) return tl::unexpected(error_response(403, "key " + caller.fingerprint + " may not read host '" + name + "'"));
  if ((*host)->status != store::HostStatus::approved) {
    return tl::unexpected(error_response(403, "host '" + name + "' is not approved"));
  }
  return {};
}

// The manifest of an upload, from its two headers; a response when it is missing or malformed.
tl::expected<protocol::SignedBundleManifest, Response> manifest_of(const net::http::Request& request) {
  const auto text_b64 = request.header(protocol::k_header_bundle_manifest);
  const auto signature = request.header(protocol::k_header_bundle_signature);
  if (!text_b64 || !signature) {
    return tl::unexpected(error_response(400, "a bundle needs its operator-signed manifest (X-Vps-Bundle-Manifest "
                                              "and X-Vps-Bundle-Signature; vps-enroll push sends them)"));
  }
  auto text = base64::decode(*text_b64);
  if (!text) return tl::unexpected(error_response(400, "X-Vps-Bundle-Manifest is not base64"));
  auto parsed = protocol::parse_signed_bundle_manifest(as_chars(*text), *signature);
  if (!parsed) return tl::unexpected(error_response(400, parsed.error().message));
  return std::move(*parsed);
}

}  // namespace

Response put_bundle(RouteContext& ctx, const auth::Caller& caller, const std::string& name, const std::string& secret) {
  if (auto ok = auth::require_operator(caller); !ok) return error_response(ok.error().status, ok.error().reason);
  const std::string& body = ctx.request.body;
  if (body.empty()) return error_response(400, "empty bundle");
  if (!protocol::looks_like_ciphertext(body)) return error_response(415, "bundle is not age or sops ciphertext");
  auto signed_manifest = manifest_of(ctx.request);
  if (!signed_manifest) return std::move(signed_manifest).error();
  const protocol::BundleManifest& manifest = signed_manifest->manifest;
  // Signed by the caller (nobody uploads in another operator's name), for exactly these bytes.
  if (manifest.key != caller.key) return error_response(403, "the manifest is signed for another key than the caller's");
  if (auto verified = protocol::authorize_bundle(*signed_manifest, ctx.operators.all()); !verified)
    return error_response(400, verified.error().message);
  if (auto content = protocol::check_bundle_content(manifest, body); !content)
    return error_response(400, content.error().message);
  auto host = ctx.store.find_host(name);
  if (!host) return internal_error(host.error());
  if (!*host) return error_response(404, "no host named '" + name + "'");
  if ((*host)->status == store::HostStatus::rejected) return error_response(409, "host '" + name + "' is rejected");
  if ((*host)->status == store::HostStatus::revoked) {
    return error_response(409, "host '" + name + "' is revoked; approve a new key with approve --replace first");
  }
  auto existing = ctx.store.get_bundle(name, secret);
  if (!existing) return internal_error(existing.error());
  const std::int64_t last = *existing ? (*existing)->info.sequence : 0;
  if (auto applicable = protocol::check_bundle_applicable(manifest, name, (*host)->key.fingerprint, secret, last,
                                                          ctx.now * 1000 + 999);
      !applicable) {
    return error_response(409, applicable.error().message);
  }
  store::BundleInfo info;
  info.host = name;
  info.name = secret;
  info.sha256 = manifest.sha256;
  info.size = manifest.size;
  info.uploaded_by = *caller.operator_name;
  info.uploaded_at = ctx.now;
  info.sequence = manifest.sequence;
  info.manifest = signed_manifest->text;
  info.signature = std::string(*ctx.request.header(protocol::k_header_bundle_signature));
  Status written = ctx.store.put_bundle(info, as_bytes(body));
  if (written) {
    written = audit(ctx, caller.actor(), "push", name,
                    secret + " sha256 " + info.sha256 + " " + std::to_string(info.size) + " bytes sequence " +
                        std::to_string(info.sequence));
  }
  if (written) written = bundles_changed(ctx, name);
  if (!written) return internal_error(written.error());
  return json_response(201, Json{{"host", name}, {"name", secret}, {"sha256", info.sha256}, {"size", info.size},
                                 {"sequence", info.sequence}});
}

Response bundle_listing(store::Store& store, const std::string& name) {
  auto bundles = store.list_bundles(name);
  if (!bundles) return internal_error(bundles.error());
  auto version = store.bundles_version(name);
  if (!version) return internal_error(version.error());
  Json list = Json::array();
  for (const auto& b : *bundles) list.push_back(bundle_json(b));
  return json_response(200, Json{{"host", name}, {"bundles", std::move(list)}, {"version", *version}});
}

Status bundles_changed(RouteContext& ctx, const std::string& host) {
  VPS_CHECK(ctx.store.bump_bundles_version(host));
  ctx.changed_bundles.push_back(host);
  return {};
}

Response list_bundles(RouteContext& ctx, const auth::Caller& caller, const std::string& name) {
  if (auto ok = may_read(ctx, caller, name); !ok) return std::move(ok).error();
  Response response = bundle_listing(ctx.store, name);
  if (response.status != 200) return response;
  // The host's own long poll: nothing changed since the version it has, so wait for a change
  // (operators get the listing at once: one parked poll per host is the host's).
  if (!caller.is_operator() && ctx.wait_seconds > 0 && ctx.known_version) {
    auto current = ctx.store.bundles_version(name);
    if (!current) return internal_error(current.error());
    if (*current == *ctx.known_version) {
      ctx.long_poll = LongPoll{name, ctx.wait_seconds, WaitKind::bundles, caller.fingerprint};
    }
  }
  return response;
}

Response get_bundle(RouteContext& ctx, const auth::Caller& caller, const std::string& name, const std::string& secret) {
  if (auto ok = may_read(ctx, caller, name); !ok) return std::move(ok).error();
  auto bundle = ctx.store.get_bundle(name, secret);
  if (!bundle) return internal_error(bundle.error());
  if (!*bundle) return error_response(404, "no bundle '" + secret + "' for host '" + name + "'");
  if (!caller.is_operator()) {
    if (auto logged = audit(ctx, "host:" + name, "fetch", name, secret); !logged) return internal_error(logged.error());
  }
  Response response;
  response.status = 200;
  response.headers.push_back({"Content-Type", "application/octet-stream"});
  response.headers.push_back({"X-Vps-Sha256", (*bundle)->info.sha256});
  response.body.assign((*bundle)->ciphertext.begin(), (*bundle)->ciphertext.end());
  return response;
}

}  // namespace vps::enroll::routes
