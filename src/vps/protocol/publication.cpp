#include <vps/protocol/publication.hpp>

#include <algorithm>
#include <array>

#include <vps/base/hex.hpp>
#include <vps/crypto/random.hpp>
#include <vps/formats/age/bech32.hpp>
#include <vps/formats/openssh/fingerprint.hpp>
#include <vps/formats/openssh/public_key.hpp>
#include <vps/protocol/endpoint_origin.hpp>

namespace vps::protocol {

namespace {

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

template <class Pred>
bool all_of(std::string_view s, Pred pred) {
  return std::all_of(s.begin(), s.end(), pred);
}

bool valid_hostname(std::string_view s) {
  if (s.empty() || s.size() > 253 || s.front() == '.' || s.back() == '.' || s.front() == '-') return false;
  if (s.find("..") != std::string_view::npos) return false;
  return all_of(s, [](char c) { return is_alnum(c) || c == '-' || c == '.'; });
}

bool valid_instance_id(std::string_view s) {
  return !s.empty() && s.size() <= 64 &&
         all_of(s, [](char c) { return is_alnum(c) || c == '.' || c == '_' || c == '-'; });
}

bool valid_boot_id(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !hex::is_lower_hex_digit(s[i])) return false;
  }
  return true;
}

bool valid_nonce(std::string_view s) { return s.size() == 32 && hex::is_lower_hex(s); }

bool valid_token(std::string_view s) {
  return !s.empty() && s.size() <= 256 && all_of(s, [](char c) {
    return is_alnum(c) || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=' || c == '-';
  });
}

Status invalid(std::string_view field, std::string_view why = {}) {
  std::string message = "publication: invalid " + std::string(field);
  if (!why.empty()) message += ": " + std::string(why);
  return fail(Errc::malformed, std::move(message));
}

void append_field(std::string& out, std::string_view key, std::string_view value) {
  if (out.size() > 1) out += ',';
  out += '"';
  out += key;
  out += "\":\"";
  out += value;  // validate() admits no character that JSON escapes
  out += '"';
}

}  // namespace

std::string ssh_public_key_field(const crypto::Ed25519Public& key) {
  return formats::openssh::format_public_key_line(formats::openssh::Ed25519PublicKey{key, {}});
}

Result<std::string> age_recipient_for(const crypto::Ed25519Public& key) {
  auto x25519 = VPS_TRY(crypto::ed25519_public_to_x25519(key));
  return formats::age::bech32::encode("age", ByteView(x25519.data(), x25519.size()));
}

Status validate(const Publication& p) {
  if (!valid_endpoint_origin(p.endpoint)) return invalid("endpoint", "expected an origin like https://host:443");
  if (!valid_hostname(p.hostname)) return invalid("hostname");
  if (!valid_instance_id(p.instance_id)) return invalid("instance_id");
  if (p.ssh_public_key.size() > 256) return invalid("ssh_public_key", "too long");
  auto key = formats::openssh::parse_public_key_line(p.ssh_public_key);
  if (!key) return invalid("ssh_public_key", key.error().message);
  if (ssh_public_key_field(key->key) != p.ssh_public_key) {
    return invalid("ssh_public_key", "must be exactly \"ssh-ed25519 <base64>\" without a comment");
  }
  if (p.fingerprint != formats::openssh::sha256_fingerprint(key->key)) {
    return invalid("fingerprint", "does not match ssh_public_key");
  }
  auto recipient = age_recipient_for(key->key);
  if (!recipient) return invalid("ssh_public_key", recipient.error().message);
  if (p.age_recipient != *recipient) return invalid("age_recipient", "does not match ssh_public_key");
  if (!valid_boot_id(p.boot_id)) return invalid("boot_id", "expected a lowercase UUID");
  if (p.timestamp <= 0) return invalid("timestamp");
  if (!valid_nonce(p.nonce)) return invalid("nonce", "expected 32 lowercase hex digits");
  if (p.token && !valid_token(*p.token)) return invalid("token");
  return {};
}

std::string canonical_json(const Publication& p) {
  std::string out = "{";
  append_field(out, "age_recipient", p.age_recipient);
  append_field(out, "boot_id", p.boot_id);
  append_field(out, "endpoint", p.endpoint);
  append_field(out, "fingerprint", p.fingerprint);
  append_field(out, "hostname", p.hostname);
  append_field(out, "instance_id", p.instance_id);
  append_field(out, "nonce", p.nonce);
  append_field(out, "ssh_public_key", p.ssh_public_key);
  out += ",\"timestamp\":" + std::to_string(p.timestamp);
  if (p.token) append_field(out, "token", *p.token);
  out += '}';
  return out;
}

Bytes signing_bytes(const Publication& p) {
  Bytes out = to_bytes(k_publication_domain);
  const std::string json = canonical_json(p);
  out.insert(out.end(), json.begin(), json.end());
  return out;
}

std::string new_nonce() {
  std::array<std::uint8_t, 16> bytes{};
  crypto::random_bytes(bytes);
  return hex::encode(bytes);
}

}  // namespace vps::protocol
