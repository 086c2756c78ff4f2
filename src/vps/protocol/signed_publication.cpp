#include <vps/protocol/signed_publication.hpp>

#include <vps/protocol/strict_json.hpp>

#include <vps/protocol/host_status.hpp>
#include <nlohmann/json.hpp>

#include <set>
#include <vector>

#include <vps/base/base64.hpp>
#include <vps/formats/openssh/public_key.hpp>

namespace vps::protocol {

namespace {

using json = nlohmann::json;

tl::unexpected<Error> malformed(std::string_view why) {
  return fail(Errc::malformed, "publication: " + std::string(why));
}

Result<std::string> string_field(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end()) return fail(Errc::malformed, std::string("publication: missing ") + key);
  if (!it->is_string()) return fail(Errc::malformed, std::string("publication: ") + key + " must be a string");
  return it->get<std::string>();
}

Result<Publication> publication_from(const json& object) {
  static const std::set<std::string> known = {"age_recipient", "boot_id",        "endpoint",  "fingerprint",
                                              "hostname",      "instance_id",    "nonce",     "ssh_public_key",
                                              "timestamp",     "token"};
  if (!object.is_object()) return fail(Errc::malformed, "publication: \"publication\" must be an object");
  for (const auto& item : object.items()) {
    if (!known.contains(item.key())) return fail(Errc::malformed, "publication: unknown field \"" + item.key() + "\"");
  }
  Publication p;
  p.endpoint = VPS_TRY(string_field(object, "endpoint"));
  p.hostname = VPS_TRY(string_field(object, "hostname"));
  p.instance_id = VPS_TRY(string_field(object, "instance_id"));
  p.ssh_public_key = VPS_TRY(string_field(object, "ssh_public_key"));
  p.age_recipient = VPS_TRY(string_field(object, "age_recipient"));
  p.fingerprint = VPS_TRY(string_field(object, "fingerprint"));
  p.boot_id = VPS_TRY(string_field(object, "boot_id"));
  p.nonce = VPS_TRY(string_field(object, "nonce"));
  if (object.contains("token")) p.token = VPS_TRY(string_field(object, "token"));
  auto ts = object.find("timestamp");
  if (ts == object.end()) return fail(Errc::malformed, "publication: missing timestamp");
  if (!ts->is_number_integer()) return fail(Errc::malformed, "publication: timestamp must be an integer");
  if (ts->is_number_unsigned() && ts->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
    return fail(Errc::malformed, "publication: timestamp out of range");
  }
  p.timestamp = ts->get<std::int64_t>();
  return p;
}

Result<crypto::Ed25519Public> host_key_of(const Publication& p) {
  auto key = formats::openssh::parse_public_key_line(p.ssh_public_key);
  if (!key) return fail(Errc::malformed, "publication: invalid ssh_public_key: " + key.error().message);
  return key->key;
}

}  // namespace

Result<SignedPublication> sign(Publication publication, const crypto::Signer& host_key) {
  VPS_CHECK(validate(publication));
  auto key = VPS_TRY(host_key_of(publication));
  if (host_key.public_key() != key) {
    return fail(Errc::internal, "publication: signing key does not match ssh_public_key");
  }
  SignedPublication out;
  out.signature = VPS_TRY(host_key.sign(signing_bytes(publication)));
  out.publication = std::move(publication);
  return out;
}

Status verify(const SignedPublication& s) {
  VPS_CHECK(validate(s.publication));
  auto key = VPS_TRY(host_key_of(s.publication));
  if (!crypto::ed25519_verify(key, signing_bytes(s.publication), s.signature)) {
    return fail(Errc::integrity, "publication: signature does not verify against its ssh_public_key");
  }
  return {};
}

Status check_freshness(const Publication& p, std::int64_t now, std::int64_t max_skew_seconds) {
  const std::int64_t skew = p.timestamp > now ? p.timestamp - now : now - p.timestamp;
  if (skew > max_skew_seconds) {
    return fail(Errc::refused, "publication: timestamp is " + std::to_string(skew) +
                                   " s away from the endpoint's clock (allowed: " + std::to_string(max_skew_seconds) +
                                   " s); check the host's time");
  }
  return {};
}

std::string serialize(const SignedPublication& s) {
  return "{\"publication\":" + canonical_json(s.publication) + ",\"signature\":\"" + base64::encode(s.signature) +
         "\",\"version\":" + std::to_string(k_publication_version) + "}";
}

Result<SignedPublication> parse_signed_publication(std::string_view text) {
  if (text.size() > k_max_publication_bytes) return malformed("larger than 16384 bytes");
  auto document = VPS_TRY(parse_json_strict(text, "publication"));
  if (!document.is_object()) return malformed("expected a JSON object");
  for (const auto& item : document.items()) {
    if (item.key() != "publication" && item.key() != "signature" && item.key() != "version") {
      return fail(Errc::malformed, "publication: unknown key \"" + item.key() + "\"");
    }
  }
  auto version = document.find("version");
  if (version == document.end() || !version->is_number_unsigned()) return malformed("missing or invalid version");
  if (version->get<std::uint64_t>() != static_cast<std::uint64_t>(k_publication_version)) {
    return fail(Errc::unsupported, "publication: unsupported version " + std::to_string(version->get<std::uint64_t>()) +
                                       " (this endpoint takes version " + std::to_string(k_publication_version) +
                                       ", bound to the endpoint: upgrade vps-agent on the host)");
  }
  auto body = document.find("publication");
  if (body == document.end()) return malformed("missing publication");
  SignedPublication out;
  out.publication = VPS_TRY(publication_from(*body));
  auto signature_text = VPS_TRY(string_field(document, "signature"));
  auto signature = base64::decode(signature_text);
  if (!signature || signature->size() != out.signature.size()) return malformed("signature must be 64 bytes in base64");
  std::copy(signature->begin(), signature->end(), out.signature.begin());
  VPS_CHECK(validate(out.publication));
  return out;
}

Result<EnrollmentReply> parse_enrollment_reply(std::string_view text) {
  if (text.size() > k_max_reply_bytes) return fail(Errc::malformed, "enrollment reply: larger than 4096 bytes");
  auto document = VPS_TRY(parse_json_strict(text, "enrollment reply"));
  if (!document.is_object()) return fail(Errc::malformed, "enrollment reply: expected a JSON object");
  auto status = document.find("status");
  if (status == document.end() || !status->is_string()) {
    return fail(Errc::malformed, "enrollment reply: missing \"status\"");
  }
  auto value = status->get<std::string>();
  auto parsed = parse_host_status(value);
  if (!parsed || *parsed == HostStatus::rejected) {
    return fail(Errc::malformed, "enrollment reply: unknown status");
  }
  return EnrollmentReply{value};
}

std::string serialize(const EnrollmentReply& reply) { return json{{"status", reply.status}}.dump(); }

}  // namespace vps::protocol
