// vps-enroll rekey: give a new host access to the secrets meant for it. Its age recipient is
// added to the matching .sops.yaml creation rules (text edited minimally), every given sops
// file gets its data key re-wrapped for the rule's recipients exactly as `sops updatekeys`
// (values, MAC and lastmodified untouched) and every given .age file is re-encrypted to them,
// using the operator's own identity (-i). path_regex is applied with std::regex ECMAScript,
// which agrees with Go RE2 on the usual patterns (no \z, (?i) or named classes).
// With --remove it does the opposite for good (enroll/rekey/remove.hpp): the recipient leaves
// the rules, sops files get a new data key, .age files are re-encrypted, and the secrets the
// host could read are listed for changing at their source.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <vps/enroll/client/output.hpp>
#include <vps/enroll/rekey/apply.hpp>
#include <vps/enroll/rekey/remove.hpp>
#include <vps/cli/registry.hpp>
#include <vps/formats/age/x25519.hpp>

namespace {

using namespace vps;
namespace rekey = vps::enroll::rekey;

struct Options {
  std::string recipient;
  std::string host_key;
  std::string config_file;
  std::vector<std::string> identities;
  std::vector<std::string> files;
  bool dry_run = false;
  bool json = false;
  std::string remove;                   // --remove [age1...]
  const CLI::Option* remove_option = nullptr;
  bool removing() const { return remove_option && remove_option->count() > 0; }
};

Result<std::string> choose_recipient(const Options& o) {
  const bool remove_value = o.removing() && !o.remove.empty();
  if (remove_value + !o.recipient.empty() + !o.host_key.empty() != 1)
    return fail(Errc::usage, o.removing() ? "rekey --remove: give exactly one of --remove age1... or --host-key "
                                            "\"ssh-ed25519 ...\" (or --recipient age1...)"
                                          : "rekey: give exactly one of --recipient age1... or --host-key "
                                            "\"ssh-ed25519 ...\"");
  if (!o.host_key.empty()) return rekey::age_recipient_from_ssh_key(o.host_key);
  const std::string& text = remove_value ? o.remove : o.recipient;
  auto parsed = formats::age::X25519Recipient::parse(text);
  if (!parsed) return fail(parsed.error().context(remove_value ? "--remove" : "--recipient"));
  return parsed->encode();
}

const char* kind_name(rekey::FileKind kind) { return kind == rekey::FileKind::sops ? "sops" : "age"; }

int print_json(const rekey::RekeyReport& report, const std::string& recipient, bool dry_run) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : report.plan.files) {
    nlohmann::json j{{"path", f.input.path},     {"kind", kind_name(f.input.kind)}, {"rule_index", f.rule},
                     {"recipients", f.target}, {"added", f.added},              {"removed", f.removed}};
    j["current"] = f.input.current ? nlohmann::json(*f.input.current) : nlohmann::json(nullptr);
    j["changed"] = f.input.kind == rekey::FileKind::age || f.changed();
    files.push_back(std::move(j));
  }
  return vps::enroll::client::print_json({{"config_file", report.config_file.string()},
                                          {"recipient", recipient},
                                          {"dry_run", dry_run},
                                          {"config_changed", report.plan.config_changed},
                                          {"written", report.written},
                                          {"files", files}});
}

void print_human(const rekey::RekeyReport& report, bool dry_run) {
  const char* verb = dry_run ? "would " : "";
  std::printf("%s: %s\n", report.config_file.c_str(),
              report.plan.config_changed ? (dry_run ? "recipient would be added" : "recipient added")
                                         : "already lists the recipient");
  for (const auto& f : report.plan.files) {
    std::printf("%s (%s):", f.input.path.c_str(), kind_name(f.input.kind));
    if (f.input.kind == rekey::FileKind::sops && !f.changed()) {
      std::printf(" already up to date\n");
      continue;
    }
    if (f.input.kind == rekey::FileKind::age)
      std::printf(" %sre-encrypt to %zu recipient(s)\n", verb, f.target.size());
    else
      std::printf(" %sre-wrap data key\n", verb);
    // An age file's current recipients are unknown (X25519 stanzas do not name them): list all.
    const char* mark = f.input.kind == rekey::FileKind::age ? "=" : "+";
    for (const auto& r : f.added) std::printf("  %s %s\n", mark, r.c_str());
    for (const auto& r : f.removed) std::printf("  - %s\n", r.c_str());
  }
}

const char* action_name(rekey::RemoveAction action) {
  switch (action) {
    case rekey::RemoveAction::rotate: return "rotate";
    case rekey::RemoveAction::reencrypt: return "reencrypt";
    case rekey::RemoveAction::none: break;
  }
  return "none";
}

int print_remove_json(const rekey::RemoveReport& report, const std::string& recipient, bool dry_run) {
  nlohmann::json rules = nlohmann::json::array();
  for (std::size_t i = 0; i < report.plan.rules.size(); ++i)
    rules.push_back({{"index", report.plan.rules[i]}, {"line", report.plan.rule_lines[i]}});
  nlohmann::json files = nlohmann::json::array();
  nlohmann::json readable = nlohmann::json::array();
  nlohmann::json rotated = nlohmann::json::array();
  for (const auto& f : report.plan.files) {
    const bool affected = f.action != rekey::RemoveAction::none;
    nlohmann::json j{{"path", f.input.path},
                     {"kind", kind_name(f.input.kind)},
                     {"action", action_name(f.action)},
                     {"recipients", f.target},
                     {"readable", affected ? f.input.secrets : std::vector<std::string>{}}};
    j["rule_index"] = f.rule ? nlohmann::json(*f.rule) : nlohmann::json(nullptr);
    files.push_back(std::move(j));
    if (!affected) continue;
    if (f.action == rekey::RemoveAction::rotate) rotated.push_back(f.input.path);
    readable.push_back({{"file", f.input.path}, {"secrets", f.input.secrets}});
  }
  return vps::enroll::client::print_json({{"config_file", report.config_file.string()},
                                          {"removed_recipient", recipient},
                                          {"dry_run", dry_run},
                                          {"config_changed", report.plan.config_changed},
                                          {"rules", rules},
                                          {"written", report.written},
                                          {"files", files},
                                          {"rotated", rotated},
                                          {"readable_secrets", readable}});
}

void print_remove_human(const rekey::RemoveReport& report, bool dry_run) {
  std::string lines;
  for (std::size_t line : report.plan.rule_lines) lines += (lines.empty() ? "" : ", ") + std::to_string(line);
  if (report.plan.rules.empty())
    std::printf("%s: no rule lists the recipient\n", report.config_file.c_str());
  else
    std::printf("%s: recipient %sremoved from the rule(s) at line %s\n", report.config_file.c_str(),
                dry_run ? "would be " : "", lines.c_str());
  bool any = false;
  for (const auto& f : report.plan.files) {
    std::printf("%s (%s): ", f.input.path.c_str(), kind_name(f.input.kind));
    if (f.action == rekey::RemoveAction::rotate)
      std::printf("%sdata key rotated, every value re-encrypted, wrapped for %zu recipient(s)\n",
                  dry_run ? "would have its " : "", f.target.size());
    else if (f.action == rekey::RemoveAction::reencrypt)
      std::printf("%sre-encrypted to %zu recipient(s)\n", dry_run ? "would be " : "", f.target.size());
    else
      std::printf("not for this recipient, left as it is\n");
    any = any || f.action != rekey::RemoveAction::none;
  }
  if (!any) return;
  std::printf("The removed host could read these secrets; change them at their source:\n");
  for (const auto& f : report.plan.files) {
    if (f.action == rekey::RemoveAction::none) continue;
    for (const auto& name : f.input.secrets)
      if (f.input.kind == rekey::FileKind::age || name == f.input.path)
        std::printf("  %s\n", name.c_str());
      else
        std::printf("  %s: %s\n", f.input.path.c_str(), name.c_str());
  }
}

Result<int> run_remove(const Options& o) {
  rekey::RemoveOptions options;
  options.recipient = VPS_TRY(choose_recipient(o));
  options.config_file = o.config_file;
  for (const auto& i : o.identities) options.identity_files.emplace_back(i);
  for (const auto& f : o.files) options.files.emplace_back(f);
  options.dry_run = o.dry_run;
  auto report = VPS_TRY(rekey::remove(options));
  if (o.json) return print_remove_json(report, options.recipient, o.dry_run);
  print_remove_human(report, o.dry_run);
  return 0;
}

Result<int> run_rekey(const Options& o) {
  if (o.removing()) return run_remove(o);
  rekey::RekeyOptions options;
  options.recipient = VPS_TRY(choose_recipient(o));
  options.config_file = o.config_file;
  for (const auto& i : o.identities) options.identity_files.emplace_back(i);
  for (const auto& f : o.files) options.files.emplace_back(f);
  options.dry_run = o.dry_run;
  auto report = VPS_TRY(rekey::rekey(options));
  if (o.json) return print_json(report, options.recipient, o.dry_run);
  print_human(report, o.dry_run);
  return 0;
}

const bool registered = vps::cli::register_command(65, [](CLI::App& app, vps::cli::Context& ctx) {
  auto o = std::make_shared<Options>();
  auto* sub = vps::cli::add_command(app, ctx, "rekey",
                                    "Add a host's recipient to .sops.yaml and re-key matching sops and age files "
                                    "(--remove: take it away, rotating the sops data keys)",
                                    [o] { return run_rekey(*o); });
  sub->add_option("--recipient", o->recipient, "The host's age recipient (age1...)")->type_name("AGE");
  sub->add_option("--host-key", o->host_key, "The host's \"ssh-ed25519 AAAA...\" key (converted as ssh-to-age)")
      ->type_name("KEY");
  sub->add_option("--config-file", o->config_file, "The .sops.yaml (default: searched upwards from the cwd)")
      ->type_name("PATH");
  sub->add_option("-i,--identity", o->identities, "Operator identity: age key file or OpenSSH ed25519 key (repeatable)")
      ->type_name("FILE")
      ->allow_extra_args(false);
  o->remove_option = sub->add_option("--remove", o->remove,
                                     "Remove this recipient (or --host-key's) instead: rules, files, new sops data "
                                     "keys; lists the secrets it could read")
                         ->type_name("[AGE]")
                         ->expected(0, 1);
  sub->add_flag("--dry-run", o->dry_run, "Show the recipient changes, write nothing");
  sub->add_flag("--json", o->json, "Machine-readable output");
  sub->add_option("files", o->files, "sops files and .age files to re-key")->type_name("FILE")->required();
});

}  // namespace
