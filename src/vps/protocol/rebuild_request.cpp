#include <vps/protocol/rebuild_request.hpp>

#include <algorithm>
#include <array>
#include <vps/formats/openssh/public_key.hpp>
#include <vps/protocol/canonical_lines.hpp>
#include <vps/protocol/host_name.hpp>
#include <vps/protocol/operator_sequence.hpp>
#include <vps/protocol/operator_signature.hpp>
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

}  // namespace

bool valid_revision(std::string_view revision) {
  return !revision.empty() && revision.size() <= k_max_revision_length && revision.front() != '-' &&
         std::all_of(revision.begin(), revision.end(), revision_char);
}

Result<std::string> canonical_text(const RebuildRequest& r) {
  if (!valid_host_name(r.host)) return bad("invalid host name");
  if (!valid_key_fingerprint(r.host_key)) return bad("invalid host-key (expected the host key's SHA256:... fingerprint)");
  if (!valid_revision(r.revision)) return bad("invalid revision (1-128 of A-Z a-z 0-9 . _ / @ + -, not starting with '-')");
  if (r.sequence <= 0) return bad("sequence must be positive");
  if (r.expires < 0) return bad("invalid expires");
  std::string text(k_rebuild_domain);
  text += "\nhost: " + r.host;
  text += "\nhost-key: " + r.host_key;
  text += "\nrevision: " + r.revision;
  text += "\nsequence: " + std::to_string(r.sequence);
  text += "\nexpires: " + std::to_string(r.expires);
  text += "\nkey: " + ssh_public_key_field(r.key) + "\n";
  return text;
}

Result<RebuildRequest> parse_rebuild_request(std::string_view text) {
  auto lines = VPS_TRY(CanonicalLines::open(text, k_rebuild_domain, "rebuild request", k_max_rebuild_request_bytes));
  RebuildRequest r;
  r.host = std::string(VPS_TRY(lines.take("host")));
  r.host_key = std::string(VPS_TRY(lines.take("host-key")));
  r.revision = std::string(VPS_TRY(lines.take("revision")));
  r.sequence = VPS_TRY(lines.take_decimal("sequence"));
  r.expires = VPS_TRY(lines.take_decimal("expires"));
  r.key = VPS_TRY(lines.take_key("key"));
  VPS_CHECK(lines.finish());
  // Only the canonical spelling is accepted, so one request has exactly one byte form.
  auto again = VPS_TRY(canonical_text(r));
  if (again != text) return bad("not in canonical form");
  return r;
}

Result<SignedRebuildRequest> sign_rebuild_request(const RebuildRequest& request, const crypto::Signer& signer) {
  SignedRebuildRequest out;
  out.request = request;
  out.request.key = signer.public_key();
  out.text = VPS_TRY(canonical_text(out.request));
  out.signature = VPS_TRY(signer.sign(as_bytes(out.text)));
  return out;
}

Result<SignedRebuildRequest> parse_signed_rebuild_request(std::string_view text, std::string_view signature_base64) {
  SignedRebuildRequest out;
  out.request = VPS_TRY(parse_rebuild_request(text));
  out.text = std::string(text);
  out.signature = VPS_TRY(parse_signature_base64(signature_base64, "parsing rebuild request"));
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
  return authorize_operator_signature(s.request.key, s.text, s.signature, operators, "rebuild request");
}

Status check_rebuild_applicable(const RebuildRequest& r, std::string_view host, std::string_view host_key,
                                std::int64_t last_sequence, std::int64_t now_ms) {
  if (r.host != host) return fail(Errc::unauthorized, "rebuild request is for host '" + r.host + "', not '" + std::string(host) + "'");
  if (r.host_key != host_key) {
    return fail(Errc::unauthorized, "rebuild request is for host key " + r.host_key + ", not this host's " +
                                        std::string(host_key) + " (meant for an earlier instance of '" + r.host + "'?)");
  }
  if (r.sequence <= last_sequence) {
    return fail(Errc::refused, "replayed rebuild request: sequence " + std::to_string(r.sequence) +
                                   " is not above the last applied " + std::to_string(last_sequence));
  }
  VPS_CHECK(check_sequence_lead(r.sequence, now_ms, "rebuild request"));
  if (r.expires <= now_ms / 1000) return fail(Errc::refused, "rebuild request expired at " + std::to_string(r.expires));
  return {};
}

}  // namespace vps::protocol
