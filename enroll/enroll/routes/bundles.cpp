// Per-host ciphertext bundles: operators upload files re-encrypted for a host; the host
// fetches its own with requests signed by its host key. The server refuses anything that does
// not look like age or sops ciphertext, so plaintext is not stored by mistake.
#include <enroll/routes/context.hpp>

#include <vps/base/hex.hpp>
#include <vps/crypto/hash.hpp>
#include <vps/host/delivery/bundle_plan.hpp>

namespace vps::enroll::routes {

namespace {

using net::http::Response;

// Operators may read every host's bundles; a host only its own, and only once approved.
// Unknown host and foreign host get the same 403, so hosts learn nothing about each other.
tl::expected<void, Response> may_read(RouteContext& ctx, const auth::Caller& caller, const std::string& name) {
  if (caller.is_operator()) return {};
  auto host = ctx.store.find_host(name);
  if (!host) return tl::unexpected(internal_error(host.error()));
  const bool own = *host && (*host)->key.fingerprint == caller.fingerprint;
  if (!own) return tl::unexpected(error_response(403, "key " + caller.fingerprint + " may not read host '" + name + "'"));
  if ((*host)->status != store::HostStatus::approved) {
    return tl::unexpected(error_response(403, "host '" + name + "' is not approved"));
  }
  return {};
}

}  // namespace

Response put_bundle(RouteContext& ctx, const auth::Caller& caller, const std::string& name, const std::string& secret) {
  if (auto ok = auth::require_operator(caller); !ok) return error_response(ok.error().status, ok.error().reason);
  const std::string& body = ctx.request.body;
  if (body.empty()) return error_response(400, "empty bundle");
  if (!host::delivery::looks_like_ciphertext(body)) return error_response(415, "bundle is not age or sops ciphertext");
  auto host = ctx.store.find_host(name);
  if (!host) return internal_error(host.error());
  if (!*host) return error_response(404, "no host named '" + name + "'");
  if ((*host)->status == store::HostStatus::rejected) return error_response(409, "host '" + name + "' is rejected");
  store::BundleInfo info;
  info.host = name;
  info.name = secret;
  info.sha256 = hex::encode(crypto::sha256(as_bytes(body)));
  info.size = static_cast<std::int64_t>(body.size());
  info.uploaded_by = *caller.operator_name;
  info.uploaded_at = ctx.now;
  Status written = ctx.store.put_bundle(info, as_bytes(body));
  if (written) {
    written = audit(ctx, caller.actor(), "push", name, secret + " sha256 " + info.sha256 + " " + std::to_string(info.size) + " bytes");
  }
  if (!written) return internal_error(written.error());
  return json_response(201, Json{{"host", name}, {"name", secret}, {"sha256", info.sha256}, {"size", info.size}});
}

Response list_bundles(RouteContext& ctx, const auth::Caller& caller, const std::string& name) {
  if (auto ok = may_read(ctx, caller, name); !ok) return std::move(ok).error();
  auto bundles = ctx.store.list_bundles(name);
  if (!bundles) return internal_error(bundles.error());
  Json list = Json::array();
  for (const auto& b : *bundles) list.push_back(bundle_json(b));
  return json_response(200, Json{{"host", name}, {"bundles", std::move(list)}});
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
