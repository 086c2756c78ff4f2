#include <vps/protocol/rebuild_request.hpp>

#include <algorithm>
#include <array>
#include <charconv>

#include <vps/base/base64.hpp>
#include <vps/formats/openssh/fingerprint.hpp>
#include <vps/formats/openssh/public_key.hpp>
#include <vps/protocol/host_name.hpp>
#include <vps/protocol/publication.hpp>

namespace vps::protocol {

namespace {

bool revision_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '/' || c == '@' || c == '+' || c == '-';
}

tl::unexpected<Error> bad(std::string_view what) {
  return fail(Errc::malformed, "parsing rebuild request: " + std::string(what));
}

// Decimal 0..2^63-1 without sign or leading zeros.
Result<std::int64_t> parse_decimal(std::string_view text, std::string_view field) {
  const bool digits = !text.empty() && text.size() <= 19 &&
                      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  std::int64_t value = 0;
  if (!digits || (text.size() > 1 && text[0] == '0')) return bad("invalid " + std::string(field));
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return bad(std::string(field) + " out of range");
  return value;
}

// Takes "<name>: <value>\n" off the front of text.
Result<std::string_view> take_line(std::string_view& text, std::string_view name) {
  const std::size_t end = text.find('\n');
  if (end == std::string_view::npos) return bad("missing '" + std::string(name) + "' line");
  std::string_view line = text.substr(0, end);
  text.remove_prefix(end + 1);
  if (!line.starts_with(name) || line.substr(name.size()).substr(0, 2) != ": ") {
    return bad("expected '" + std::string(name) + ": ' line");
  }
  return line.substr(name.size() + 2);
}

}  // namespace

bool valid_revision(std::string_view revision) {
  return !revision.empty() && revision.size() <= k_max_revision_length && revision.front() != '-' &&
         std::all_of(revision.begin(), revision.end(), revision_char);
}

Result<std::string> canonical_text(const RebuildRequest& r) {
  if (!valid_host_name(r.host)) return bad("invalid host name");
  if (!valid_revision(r.revision)) return bad("invalid revision (1-128 of A-Z a-z 0-9 . _ / @ + -, not starting with '-')");
  if (r.sequence <= 0) return bad("sequence must be positive");
  if (r.expires < 0) return bad("invalid expires");
  std::string text(k_rebuild_domain);
  text += "\nhost: " + r.host;
  text += "\nrevision: " + r.revision;
  text += "\nsequence: " + std::to_string(r.sequence);
  text += "\nexpires: " + std::to_string(r.expires);
  text += "\nkey: " + ssh_public_key_field(r.key) + "\n";
  return text;
}

Result<RebuildRequest> parse_rebuild_request(std::string_view text) {
  if (text.size() > k_max_rebuild_request_bytes) return bad("larger than 1024 bytes");
  const std::string_view all = text;
  if (!text.starts_with(std::string(k_rebuild_domain) + "\n")) return bad("not a vps-rebuild/v1 request");
  text.remove_prefix(k_rebuild_domain.size() + 1);
  RebuildRequest r;
  r.host = std::string(VPS_TRY(take_line(text, "host")));
  r.revision = std::string(VPS_TRY(take_line(text, "revision")));
  const std::string_view sequence_field = VPS_TRY(take_line(text, "sequence"));
  r.sequence = VPS_TRY(parse_decimal(sequence_field, "sequence"));
  const std::string_view expires_field = VPS_TRY(take_line(text, "expires"));
  r.expires = VPS_TRY(parse_decimal(expires_field, "expires"));
  const std::string_view key_field = VPS_TRY(take_line(text, "key"));
  if (!text.empty()) return bad("unexpected data after the key line");
  auto key = formats::openssh::parse_public_key_line(key_field);
  if (!key || !key->comment.empty()) return bad("invalid key (expected \"ssh-ed25519 <base64>\")");
  r.key = key->key;
  // Only the canonical spelling is accepted, so one request has exactly one byte form.
  auto again = VPS_TRY(canonical_text(r));
  if (again != all) return bad("not in canonical form");
  return r;
}

Result<SignedRebuildRequest> sign_rebuild_request(const RebuildRequest& request, const crypto::Ed25519Seed& seed) {
  SignedRebuildRequest out;
  out.request = request;
  out.request.key = crypto::ed25519_public_from_seed(seed);
  out.text = VPS_TRY(canonical_text(out.request));
  out.signature = crypto::ed25519_sign(seed, as_bytes(out.text));
  return out;
}

Result<SignedRebuildRequest> parse_signed_rebuild_request(std::string_view text, std::string_view signature_base64) {
  SignedRebuildRequest out;
  out.request = VPS_TRY(parse_rebuild_request(text));
  out.text = std::string(text);
  if (signature_base64.size() != 88) return bad("signature is not 64 bytes of base64");
  auto raw = base64::decode(signature_base64);
  if (!raw || raw->size() != out.signature.size()) return bad("signature is not 64 bytes of base64");
  std::copy(raw->begin(), raw->end(), out.signature.begin());
  return out;
}

Status verify_rebuild_signature(const SignedRebuildRequest& s) {
  if (!crypto::ed25519_verify(s.request.key, as_bytes(s.text), s.signature)) {
    return fail(Errc::integrity, "rebuild request signature does not verify");
  }
  return {};
}

Result<formats::openssh::AuthorizedOperator> authorize_rebuild(const SignedRebuildRequest& s,
                                                               std::span<const formats::openssh::AuthorizedOperator> operators) {
  const auto* op = formats::openssh::find_operator(operators, s.request.key);
  if (op == nullptr) {
    return fail(Errc::unauthorized, "rebuild request signed by " + formats::openssh::sha256_fingerprint(s.request.key) +
                                        ", which is not an authorized operator");
  }
  VPS_CHECK(verify_rebuild_signature(s));
  return *op;
}

Status check_rebuild_applicable(const RebuildRequest& r, std::string_view host, std::int64_t last_sequence,
                                std::int64_t now) {
  if (r.host != host) return fail(Errc::unauthorized, "rebuild request is for host '" + r.host + "', not '" + std::string(host) + "'");
  if (r.sequence <= last_sequence) {
    return fail(Errc::refused, "replayed rebuild request: sequence " + std::to_string(r.sequence) +
                                   " is not above the last applied " + std::to_string(last_sequence));
  }
  if (r.expires <= now) return fail(Errc::refused, "rebuild request expired at " + std::to_string(r.expires));
  return {};
}

}  // namespace vps::protocol
