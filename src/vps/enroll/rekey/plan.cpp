#include <vps/enroll/rekey/plan.hpp>

#include <algorithm>

#include <vps/base/base64.hpp>
#include <vps/crypto/curve25519.hpp>
#include <vps/formats/age/x25519.hpp>

namespace vps::enroll::rekey {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

std::vector<std::string> minus(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::string> out;
  for (const auto& item : a)
    if (!contains(b, item) && !contains(out, item)) out.push_back(item);
  return out;
}

}  // namespace

Result<Plan> make_plan(std::string_view config_text, std::string_view recipient, const std::vector<FileInput>& files,
                       std::string_view name_hint) {
  const SopsConfig before = VPS_TRY(parse_sops_config(config_text));
  Plan plan;
  std::vector<std::size_t> file_rules;
  for (const FileInput& file : files) {
    auto index = VPS_TRY(match_rule(before, file.relative));
    if (!index) return fail(Errc::missing, file.path + ": no creation rule in .sops.yaml matches '" + file.relative + "'");
    if (!before.rules[*index].unsupported.empty())
      return fail(Errc::unsupported, file.path + ": its creation rule (.sops.yaml line " +
                                         std::to_string(before.rules[*index].line) +
                                         ") cannot be edited by rekey: " + before.rules[*index].unsupported);
    file_rules.push_back(*index);
    if (std::find(plan.rules.begin(), plan.rules.end(), *index) == plan.rules.end()) plan.rules.push_back(*index);
  }
  // Edit from the last rule up so earlier line numbers stay valid.
  std::vector<std::size_t> order = plan.rules;
  std::sort(order.rbegin(), order.rend());
  std::string text(config_text);
  for (std::size_t index : order) {
    const SopsConfig current = VPS_TRY(parse_sops_config(text));
    text = VPS_TRY(add_recipient(text, current, index, recipient, name_hint));
  }
  const SopsConfig after = VPS_TRY(parse_sops_config(text));
  if (after.rules.size() != before.rules.size())
    return fail(Errc::internal, "rekey: editing .sops.yaml changed its number of rules");
  for (std::size_t index : plan.rules)
    if (!contains(after.rules[index].age, std::string(recipient)))
      return fail(Errc::internal, "rekey: the edited .sops.yaml rule does not list the recipient");
  plan.config_changed = text != config_text;
  plan.config_text = std::move(text);
  for (std::size_t i = 0; i < files.size(); ++i) {
    FilePlan fp{files[i], file_rules[i], after.rules[file_rules[i]].age, {}, {}};
    if (fp.target.empty()) return fail(Errc::unsupported, files[i].path + ": its creation rule has no age recipients");
    if (files[i].current) {
      fp.added = minus(fp.target, *files[i].current);
      fp.removed = minus(*files[i].current, fp.target);
    } else {
      fp.added = fp.target;
    }
    plan.files.push_back(std::move(fp));
  }
  return plan;
}

Result<std::string> age_recipient_from_ssh_key(std::string_view line) {
  constexpr std::string_view prefix = "ssh-ed25519 ";
  if (!line.starts_with(prefix)) return fail(Errc::malformed, "host key: expected \"ssh-ed25519 AAAA...\"");
  std::string_view b64 = line.substr(prefix.size());
  b64 = b64.substr(0, b64.find_first_of(" \t\r\n"));
  auto blob = base64::decode(b64);
  // string "ssh-ed25519" (4 + 11 bytes), string key (4 + 32 bytes).
  constexpr std::size_t k_blob = 4 + 11 + 4 + 32;
  if (!blob || blob->size() != k_blob) return fail(Errc::malformed, "host key: not an ssh-ed25519 public key");
  const std::string type(blob->begin() + 4, blob->begin() + 15);
  const auto& b = *blob;
  if (b[0] || b[1] || b[2] || b[3] != 11 || b[15] || b[16] || b[17] || type != "ssh-ed25519" || b[18] != 32)
    return fail(Errc::malformed, "host key: not an ssh-ed25519 public key");
  crypto::Ed25519Public key{};
  std::copy(blob->begin() + 19, blob->end(), key.begin());
  auto x = crypto::ed25519_public_to_x25519(key);
  if (!x) return fail(x.error().context("host key"));
  return formats::age::X25519Recipient(*x).encode();
}

}  // namespace vps::enroll::rekey
