#include <vps/formats/age/identity_file.hpp>

#include <vps/formats/age/armor.hpp>
#include <vps/formats/age/format.hpp>
#include <vps/formats/age/ssh_ed25519.hpp>
#include <vps/formats/age/x25519.hpp>
#include <vps/formats/openssh/private_key.hpp>

namespace vps::formats::age {
namespace {

constexpr std::size_t k_max_lines = 100000;

// Calls f(line_number, line) for each line that is neither blank nor a comment; CRLF accepted.
template <class F>
Status for_each_entry(std::string_view text, std::string_view source_name, F&& f) {
  std::size_t number = 0;
  while (!text.empty()) {
    if (++number > k_max_lines) return fail(Errc::malformed, std::string(source_name) + ": too many lines");
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    VPS_CHECK(f(number, line));
  }
  return {};
}

std::string where(std::string_view source_name, std::size_t line) {
  return std::string(source_name) + ":" + std::to_string(line);
}

Result<IdentityList> parse_ssh_identity(std::string_view text, std::string_view source_name) {
  auto key = VPS_TRY(openssh::parse_private_key(text, source_name));
  auto ssh = SshEd25519Identity::from_seed(key.seed, key.public_key);
  if (!ssh) return fail(ssh.error().context(source_name));
  IdentityList out;
  out.push_back(std::make_unique<SshEd25519Identity>(std::move(*ssh)));
  out.push_back(std::make_unique<X25519Identity>(X25519Identity::from_ed25519_seed(key.seed)));
  return out;
}

}  // namespace

Result<IdentityList> parse_identity_file(std::string_view text, std::string_view source_name) {
  if (openssh::looks_like_private_key(text)) return parse_ssh_identity(text, source_name);
  if (text.starts_with(k_intro) || looks_armored(as_bytes(text)))
    return fail(Errc::unsupported, std::string(source_name) +
                                       ": passphrase-protected (age-encrypted) identity files are not supported");
  IdentityList out;
  VPS_CHECK(for_each_entry(text, source_name, [&](std::size_t n, std::string_view line) -> Status {
    if (line.starts_with("AGE-SECRET-KEY-PQ-1"))
      return fail(Errc::unsupported, where(source_name, n) + ": post-quantum identities are not supported");
    if (line.starts_with("AGE-PLUGIN-"))
      return fail(Errc::unsupported, where(source_name, n) + ": plugin identities are not supported");
    auto id = X25519Identity::parse(line);
    if (!id) return fail(Errc::malformed, where(source_name, n) + ": " + id.error().message);
    out.push_back(std::make_unique<X25519Identity>(std::move(*id)));
    return {};
  }));
  if (out.empty()) return fail(Errc::malformed, std::string(source_name) + ": no identities found");
  return out;
}

Result<std::unique_ptr<Recipient>> parse_recipient(std::string_view line) {
  if (line.starts_with("ssh-ed25519 ")) {
    auto r = VPS_TRY(SshEd25519Recipient::parse(line));
    return std::unique_ptr<Recipient>(std::make_unique<SshEd25519Recipient>(std::move(r)));
  }
  if (line.starts_with("ssh-") || line.starts_with("ecdsa-") || line.starts_with("sk-"))
    return fail(Errc::unsupported, "unsupported SSH recipient type: only ssh-ed25519 keys are supported");
  if (line.starts_with("age1pq1")) return fail(Errc::unsupported, "post-quantum recipients are not supported");
  if (line.starts_with("age1")) {
    auto r = X25519Recipient::parse(line);
    if (!r) {
      const std::size_t sep = line.rfind('1');
      if (sep != std::string_view::npos && sep > 3)
        return fail(Errc::unsupported, "plugin recipients (age1<plugin>1...) are not supported");
      return fail(r.error());
    }
    return std::unique_ptr<Recipient>(std::make_unique<X25519Recipient>(*r));
  }
  return fail(Errc::malformed, "unknown recipient type (expected age1... or ssh-ed25519 ...)");
}

Result<std::vector<std::unique_ptr<Recipient>>> parse_recipients_file(std::string_view text,
                                                                       std::string_view source_name) {
  std::vector<std::unique_ptr<Recipient>> out;
  VPS_CHECK(for_each_entry(text, source_name, [&](std::size_t n, std::string_view line) -> Status {
    auto r = parse_recipient(line);
    if (!r) return fail(r.error().context(where(source_name, n)));
    out.push_back(std::move(*r));
    return {};
  }));
  if (out.empty()) return fail(Errc::malformed, std::string(source_name) + ": no recipients found");
  return out;
}

}  // namespace vps::formats::age
