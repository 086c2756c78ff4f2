#include <vps/protocol/bundle_manifest.hpp>

#include <algorithm>

#include <vps/base/hex.hpp>
#include <vps/crypto/hash.hpp>
#include <vps/formats/age/armor.hpp>
#include <vps/protocol/canonical_lines.hpp>
#include <vps/protocol/host_name.hpp>
#include <vps/protocol/operator_sequence.hpp>
#include <vps/protocol/operator_signature.hpp>
#include <vps/protocol/publication.hpp>

namespace vps::protocol {

namespace {

tl::unexpected<Error> bad(std::string_view what) {
  return fail(Errc::malformed, "parsing bundle manifest: " + std::string(what));
}


}  // namespace

bool valid_bundle_name(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  return alnum(name.front()) &&
         std::all_of(name.begin(), name.end(), [&](char c) { return alnum(c) || c == '.' || c == '_' || c == '-'; });
}

bool looks_like_ciphertext(std::string_view content) {
  return formats::age::looks_like_age_file(as_bytes(content)) ||
         content.find("ENC[AES256_GCM,data:") != std::string_view::npos;
}

Result<std::string> canonical_text(const BundleManifest& m) {
  if (!valid_host_name(m.host)) return bad("invalid host name");
  if (!valid_key_fingerprint(m.host_key)) return bad("invalid host-key (expected the host key's SHA256:... fingerprint)");
  if (!valid_bundle_name(m.name)) return bad("invalid name (expected [A-Za-z0-9][A-Za-z0-9._-]{0,127})");
  if (m.sha256.size() != 64 || !hex::is_lower_hex(m.sha256))
    return bad("invalid sha256 (expected 64 lowercase hex digits)");
  if (m.size < 0) return bad("invalid size");
  if (m.sequence <= 0) return bad("sequence must be positive");
  std::string text(k_bundle_domain);
  text += "\nhost: " + m.host;
  text += "\nhost-key: " + m.host_key;
  text += "\nname: " + m.name;
  text += "\nsha256: " + m.sha256;
  text += "\nsize: " + std::to_string(m.size);
  text += "\nsequence: " + std::to_string(m.sequence);
  text += "\nkey: " + ssh_public_key_field(m.key) + "\n";
  return text;
}

Result<BundleManifest> parse_bundle_manifest(std::string_view text) {
  auto lines = VPS_TRY(CanonicalLines::open(text, k_bundle_domain, "bundle manifest", k_max_bundle_manifest_bytes));
  BundleManifest m;
  m.host = std::string(VPS_TRY(lines.take("host")));
  m.host_key = std::string(VPS_TRY(lines.take("host-key")));
  m.name = std::string(VPS_TRY(lines.take("name")));
  m.sha256 = std::string(VPS_TRY(lines.take("sha256")));
  m.size = VPS_TRY(lines.take_decimal("size"));
  m.sequence = VPS_TRY(lines.take_decimal("sequence"));
  m.key = VPS_TRY(lines.take_key("key"));
  VPS_CHECK(lines.finish());
  auto again = VPS_TRY(canonical_text(m));
  if (again != text) return bad("not in canonical form");
  return m;
}

Result<SignedBundleManifest> sign_bundle_manifest(const BundleManifest& manifest, const crypto::Signer& signer) {
  SignedBundleManifest out;
  out.manifest = manifest;
  out.manifest.key = signer.public_key();
  out.text = VPS_TRY(canonical_text(out.manifest));
  out.signature = VPS_TRY(signer.sign(as_bytes(out.text)));
  return out;
}

Result<SignedBundleManifest> parse_signed_bundle_manifest(std::string_view text, std::string_view signature_base64) {
  SignedBundleManifest out;
  out.manifest = VPS_TRY(parse_bundle_manifest(text));
  out.text = std::string(text);
  out.signature = VPS_TRY(parse_signature_base64(signature_base64, "parsing bundle manifest"));
  return out;
}

Result<formats::openssh::AuthorizedOperator> authorize_bundle(const SignedBundleManifest& s,
                                                              std::span<const formats::openssh::AuthorizedOperator> operators) {
  return authorize_operator_signature(s.manifest.key, s.text, s.signature, operators, "bundle manifest");
}

Status check_bundle_applicable(const BundleManifest& m, std::string_view host, std::string_view host_key,
                               std::string_view name, std::int64_t last_sequence, std::int64_t now_ms) {
  if (m.host != host) return fail(Errc::unauthorized, "bundle manifest is for host '" + m.host + "', not '" + std::string(host) + "'");
  if (m.host_key != host_key) {
    return fail(Errc::unauthorized, "bundle manifest is for host key " + m.host_key + ", not this host's " +
                                        std::string(host_key));
  }
  if (m.name != name) return fail(Errc::unauthorized, "bundle manifest names '" + m.name + "', not '" + std::string(name) + "'");
  if (m.sequence <= last_sequence) {
    return fail(Errc::refused, "bundle '" + m.name + "' has sequence " + std::to_string(m.sequence) +
                                   ", not above the " + std::to_string(last_sequence) +
                                   " already installed (a replay or a rollback)");
  }
  return check_sequence_lead(m.sequence, now_ms, "bundle manifest");
}

Status check_bundle_content(const BundleManifest& m, std::string_view content) {
  if (static_cast<std::int64_t>(content.size()) != m.size) {
    return fail(Errc::integrity, "bundle '" + m.name + "' is " + std::to_string(content.size()) +
                                     " bytes, its signed manifest says " + std::to_string(m.size));
  }
  const std::string actual = hex::encode(crypto::sha256(as_bytes(content)));
  if (actual != m.sha256) {
    return fail(Errc::integrity, "bundle '" + m.name + "' has sha256 " + actual + ", its signed manifest says " + m.sha256);
  }
  return {};
}

}  // namespace vps::protocol
