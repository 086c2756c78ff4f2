#include <vps/enroll/rekey/remove.hpp>

#include <optional>

#include <algorithm>
#include <memory>

#include <vps/base/text.hpp>
#include <vps/enroll/rekey/apply.hpp>
#include <vps/enroll/rekey/io.hpp>
#include <vps/formats/age/age.hpp>
#include <vps/formats/sops/rotate.hpp>
#include <vps/formats/sops/sops.hpp>
#include <vps/sys/fs/file.hpp>

namespace vps::enroll::rekey {
namespace {

namespace fs = std::filesystem;
namespace age = vps::formats::age;
namespace sops = vps::formats::sops;

// A sops file may name a recipient by its ssh key (sops' age keysource accepts them);
// the host is the same one when that key converts to the age recipient being removed.
bool same_recipient(const std::string& in_file, std::string_view recipient) {
  if (in_file == recipient) return true;
  if (!in_file.starts_with("ssh-ed25519 ")) return false;
  auto converted = age_recipient_from_ssh_key(in_file);
  return converted && *converted == recipient;
}

struct Loaded {
  fs::path path;
  RemoveFileInput input;
  std::string text;
};

// nullopt for a file found in a directory that is neither sops nor age (skipped); a named one is
// refused by the parser instead.
Result<std::optional<Loaded>> load(const fs::path& path, const fs::path& config_dir, bool walked) {
  Loaded out;
  out.path = path;
  out.input.path = path.string();
  out.input.relative = relative_to(path, config_dir);
  auto bytes = VPS_TRY(sys::read_file(path, k_max_rekey_file_size));
  out.text.assign(bytes.begin(), bytes.end());
  if (walked && not_encrypted(path, out.text)) return std::optional<Loaded>();
  if (is_age_file(path)) {
    out.input.kind = FileKind::age;
    out.input.secrets = {out.input.path};
    return std::optional<Loaded>(std::move(out));
  }
  const sops::Format format = sops::format_for_path(path.string());
  auto file = sops::load(out.text, format);
  if (!file) return fail(file.error().context(path.string()));
  if (file->metadata.uses_key_groups)
    return fail(Errc::unsupported, path.string() + ": sops key_groups (Shamir) files are not supported by rekey");
  const sops::RecipientReport keys = sops::recipients(file->metadata);
  out.input.current = keys.age;
  out.input.other_keys = keys.unusable;
  // A binary sops file is one secret: the file itself.
  out.input.secrets = format == sops::Format::binary ? std::vector<std::string>{out.input.path}
                                                      : sops::encrypted_value_paths(*file);
  return std::optional<Loaded>(std::move(out));
}

Result<std::vector<std::unique_ptr<age::Recipient>>> parse_recipients(const std::vector<std::string>& list) {
  std::vector<std::unique_ptr<age::Recipient>> out;
  for (const std::string& r : list) {
    auto parsed = age::parse_recipient(r);
    if (!parsed) return fail(parsed.error().context("recipient " + r));
    out.push_back(std::move(*parsed));
  }
  return out;
}

Result<std::string> new_content(const Loaded& file, const RemoveFilePlan& plan, const age::IdentityList& identities) {
  const auto recipients = VPS_TRY(parse_recipients(plan.target));
  const auto rs = age::pointers(recipients);
  const auto ids = age::pointers(identities);
  if (plan.action == RemoveAction::rotate) {
    auto out = sops::rotate(file.text, sops::format_for_path(file.path.string()), rs, ids);
    if (!out) return fail(out.error().context(file.input.path));
    return *out;
  }
  auto plain = age::decrypt(as_bytes(file.text), ids, nullptr, k_max_rekey_file_size);
  if (!plain) return fail(plain.error().context(file.input.path));
  auto cipher = age::encrypt(ByteView(plain->data(), plain->size()), rs, file.text.starts_with(k_age_armor_begin));
  if (!cipher) return fail(cipher.error().context(file.input.path));
  return std::string(cipher->begin(), cipher->end());
}

}  // namespace

Result<RemovePlan> make_remove_plan(std::string_view config_text, std::string_view recipient,
                                    const std::vector<RemoveFileInput>& files) {
  const SopsConfig before = VPS_TRY(parse_sops_config(config_text));
  RemovePlan plan;
  for (std::size_t i = 0; i < before.rules.size(); ++i) {
    const auto& age = before.rules[i].age;
    if (std::find(age.begin(), age.end(), recipient) == age.end()) continue;
    plan.rules.push_back(i);
    plan.rule_lines.push_back(before.rules[i].line);
  }
  // Edit from the last rule up so earlier line numbers stay valid.
  std::string text(config_text);
  for (auto it = plan.rules.rbegin(); it != plan.rules.rend(); ++it) {
    const SopsConfig current = VPS_TRY(parse_sops_config(text));
    text = VPS_TRY(remove_recipient(text, current, *it, recipient));
  }
  const SopsConfig after = VPS_TRY(parse_sops_config(text));
  if (after.rules.size() != before.rules.size())
    return fail(Errc::internal, "rekey --remove: editing .sops.yaml changed its number of rules");
  plan.config_changed = text != config_text;
  plan.config_text = std::move(text);

  bool in_some_file = false;
  for (const RemoveFileInput& file : files) {
    RemoveFilePlan fp{file, VPS_TRY(match_rule(before, file.relative)), RemoveAction::none, {}};
    if (fp.rule && before.rules[*fp.rule].key_groups)
      return fail(Errc::unsupported, file.path + ": its creation rule (.sops.yaml line " +
                                         std::to_string(before.rules[*fp.rule].line) +
                                         ") uses key_groups, which rekey does not support");
    if (file.kind == FileKind::sops) {
      // The file's own recipients decide: it may list the host even if its rule no longer does.
      const bool listed = std::any_of(file.current.begin(), file.current.end(),
                                      [&](const std::string& r) { return same_recipient(r, recipient); });
      if (listed) {
        in_some_file = true;
        for (const auto& r : file.current)
          if (!same_recipient(r, recipient) && std::find(fp.target.begin(), fp.target.end(), r) == fp.target.end())
            fp.target.push_back(r);
        if (fp.target.empty())
          return fail(Errc::last_recipient, file.path + ": " + std::string(recipient) +
                                                " is the file's only age recipient; removing it would leave a file "
                                                "nobody can open (add another recipient first)");
        if (!file.other_keys.empty())
          return fail(Errc::unsupported, file.path + ": its data key is also wrapped for " + text::join(file.other_keys) +
                                             "; rotating it needs those keys too: run `sops rotate` where they are "
                                             "available (nothing was changed)");
        fp.action = RemoveAction::rotate;
      }
    } else {
      if (!fp.rule)
        return fail(Errc::missing, file.path + ": no creation rule in .sops.yaml matches '" + file.relative + "'");
      if (std::find(plan.rules.begin(), plan.rules.end(), *fp.rule) != plan.rules.end()) {
        fp.target = after.rules[*fp.rule].age;
        fp.action = RemoveAction::reencrypt;
      }
    }
    plan.files.push_back(std::move(fp));
  }
  if (plan.rules.empty() && !in_some_file)
    return fail(Errc::not_a_recipient, std::string(recipient) +
                                           " is on no creation rule of .sops.yaml and in none of the given sops "
                                           "files; check the recipient (vps-agent pubkey --format age on the host)");
  return plan;
}

Result<RemoveReport> remove(const RemoveOptions& options) {
  if (options.files.empty()) return fail(Errc::usage, "rekey --remove: no files given");
  RemoveReport report;
  report.config_file = options.config_file.empty() ? VPS_TRY(find_sops_config(fs::current_path())) : options.config_file;
  const std::string config = VPS_TRY(sys::read_text_file(report.config_file, k_max_config_size));
  const fs::path config_dir = fs::absolute(report.config_file).parent_path();
  auto parsed = parse_sops_config(config);
  if (!parsed) return fail(parsed.error().context(report.config_file.string()));
  // Named files as given; directories walked for the sops and age files a rule matches (as
  // rekey does: rekey/io.hpp), .sops.yaml itself excluded.
  std::vector<Loaded> files;
  std::vector<RemoveFileInput> inputs;
  for (const auto& candidate : VPS_TRY(gather_files(*parsed, report.config_file, options.files))) {
    auto loaded = VPS_TRY(load(candidate.path, config_dir, candidate.walked));
    if (!loaded) continue;
    inputs.push_back(loaded->input);
    files.push_back(std::move(*loaded));
  }
  if (files.empty())
    return fail(Errc::missing, "rekey --remove: no sops or age file under a creation rule of " +
                                   report.config_file.string() + " in the given directories");
  auto plan = make_remove_plan(config, options.recipient, inputs);
  if (!plan) return fail(plan.error().context(report.config_file.string()));
  report.plan = std::move(*plan);
  if (options.dry_run) return report;

  const bool any = std::any_of(report.plan.files.begin(), report.plan.files.end(),
                               [](const RemoveFilePlan& f) { return f.action != RemoveAction::none; });
  std::vector<std::optional<std::string>> contents(files.size());
  if (any) {
    const auto identities = VPS_TRY(load_identities(options.identity_files));
    for (std::size_t i = 0; i < files.size(); ++i)
      if (report.plan.files[i].action != RemoveAction::none)
        contents[i] = VPS_TRY(new_content(files[i], report.plan.files[i], identities));
  }
  for (std::size_t i = 0; i < files.size(); ++i)
    if (contents[i]) VPS_CHECK(write_keeping_mode(files[i].path, *contents[i]));
  if (report.plan.config_changed) VPS_CHECK(write_keeping_mode(report.config_file, report.plan.config_text));
  report.written = true;
  return report;
}

}  // namespace vps::enroll::rekey
