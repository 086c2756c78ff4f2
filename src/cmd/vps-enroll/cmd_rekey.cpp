// vps-enroll rekey: give a new host access to the secrets meant for it. Its age recipient is
// added to the matching .sops.yaml creation rules (text edited minimally; plain age: rules and
// sops-nix's keys: anchors + key_groups form), every given sops file gets its data key
// re-wrapped for the rule's recipients exactly as `sops updatekeys` (values, MAC and
// lastmodified untouched) and every given .age file is re-encrypted to them, using the
// operator's own identity (-i). Directories are walked for the files a rule matches. With
// --host the recipient comes from the endpoint (operator-signed GET of the approved host) and
// --push uploads every changed file for that host as `vps-enroll push` does. path_regex is
// applied with std::regex ECMAScript, which agrees with Go RE2 on the usual patterns (no \z,
// (?i) or named classes). With --remove it does the opposite for good (enroll/rekey/remove.hpp):
// the recipient leaves the rules, sops files get a new data key, .age files are re-encrypted,
// and the secrets the host could read are listed for changing at their source.
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <vps/cli/registry.hpp>
#include <vps/enroll/client/operator_options.hpp>
#include <vps/enroll/client/output.hpp>
#include <vps/enroll/client/push.hpp>
#include <vps/enroll/rekey/apply.hpp>
#include <vps/enroll/rekey/remove.hpp>
#include <vps/formats/age/x25519.hpp>

namespace {

using namespace vps;
namespace rekey = vps::enroll::rekey;
namespace client = vps::enroll::client;

struct Options {
  client::OperatorOptions common;
  std::string recipient;
  std::string host_key;
  std::string host;
  std::string config_file;
  std::vector<std::string> identities;
  std::vector<std::string> files;
  bool dry_run = false;
  bool push = false;
  std::string remove;  // --remove [age1...]
  const CLI::Option* remove_option = nullptr;
  bool removing() const { return remove_option && remove_option->count() > 0; }
};

// The host as the endpoint knows it: its recipient, checked against its key.
struct EndpointHost {
  std::string recipient;
  std::string fingerprint;
};

Result<EndpointHost> host_from_endpoint(client::SignedClient& c, const std::string& host) {
  const std::string path = VPS_TRY(client::host_path(host));
  auto body = VPS_TRY(c.call_json("GET", path));
  auto text = [&body](const char* key) -> std::string {
    return body.contains(key) && body[key].is_string() ? body[key].get<std::string>() : std::string();
  };
  if (text("status") != "approved")
    return fail(Errc::refused, "--host " + host + ": the host is " + (text("status").empty() ? "unknown" : text("status")) +
                                   ", not approved; approve it first (vps-enroll approve " + host + " --fingerprint ...)");
  EndpointHost out{text("age_recipient"), text("fingerprint")};
  if (out.recipient.empty() || text("ssh_public_key").empty())
    return fail(Errc::malformed, "--host " + host + ": the endpoint answered without the host's key or age recipient");
  // The recipient must be the one the host's key converts to (ssh-to-age): the endpoint cannot
  // hand out a recipient of its own choosing for the key the operator approved.
  const std::string derived = VPS_TRY(rekey::age_recipient_from_ssh_key(text("ssh_public_key")));
  if (derived != out.recipient)
    return fail(Errc::integrity, "--host " + host + ": the endpoint's age recipient " + out.recipient +
                                     " is not the one of the host's key (" + derived + ")");
  return out;
}

Result<std::string> choose_recipient(const Options& o) {
  const bool remove_value = o.removing() && !o.remove.empty();
  if (o.removing()) {
    if (remove_value + !o.recipient.empty() + !o.host_key.empty() != 1 || !o.host.empty())
      return fail(Errc::usage, "rekey --remove: give exactly one of --remove age1... or --host-key "
                               "\"ssh-ed25519 ...\" (or --recipient age1...)");
  } else {
    const int given = !o.recipient.empty() + !o.host_key.empty() + !o.host.empty();
    if (given != 1)
      return fail(Errc::usage, "rekey: give exactly one of --host HOST, --recipient age1... or --host-key \"ssh-ed25519 ...\"");
    if (!o.host.empty()) return std::string();  // from the endpoint
  }
  if (!o.host_key.empty()) return rekey::age_recipient_from_ssh_key(o.host_key);
  const std::string& text = remove_value ? o.remove : o.recipient;
  auto parsed = formats::age::X25519Recipient::parse(text);
  if (!parsed) return fail(parsed.error().context(remove_value ? "--remove" : "--recipient"));
  return parsed->encode();
}

const char* kind_name(rekey::FileKind kind) { return kind == rekey::FileKind::sops ? "sops" : "age"; }

bool will_change(const rekey::FilePlan& f) { return f.input.kind == rekey::FileKind::age || f.changed(); }

std::string bundle_name(const rekey::FilePlan& f) { return std::filesystem::path(f.input.path).filename().string(); }

nlohmann::json report_json(const rekey::RekeyReport& report, const std::string& recipient, const Options& o) {
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : report.plan.files) {
    nlohmann::json j{{"path", f.input.path},     {"kind", kind_name(f.input.kind)}, {"rule_index", f.rule},
                     {"recipients", f.target}, {"added", f.added},              {"removed", f.removed}};
    j["current"] = f.input.current ? nlohmann::json(*f.input.current) : nlohmann::json(nullptr);
    j["changed"] = will_change(f);
    files.push_back(std::move(j));
  }
  nlohmann::json skipped = nlohmann::json::array();
  for (const auto& s : report.skipped) skipped.push_back({{"path", s.path}, {"reason", s.reason}});
  nlohmann::json out{{"config_file", report.config_file.string()},
                     {"recipient", recipient},
                     {"dry_run", o.dry_run},
                     {"config_changed", report.plan.config_changed},
                     {"written", report.written},
                     {"files", files},
                     {"skipped", skipped}};
  out["host"] = o.host.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.host);
  return out;
}

void print_human(const rekey::RekeyReport& report, bool dry_run) {
  const char* verb = dry_run ? "would " : "";
  std::printf("%s: %s\n", report.config_file.c_str(),
              report.plan.config_changed ? (dry_run ? "recipient would be added" : "recipient added")
                                         : "already lists the recipient");
  for (const auto& f : report.plan.files) {
    std::printf("%s (%s):", f.input.path.c_str(), kind_name(f.input.kind));
    if (!will_change(f)) {
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
  for (const auto& s : report.skipped) std::printf("%s: skipped, %s\n", s.path.c_str(), s.reason.c_str());
}

// --push: the changed files as bundles, named by file name; checked before anything is written.
Result<std::vector<client::BundleUpload>> uploads_for(const rekey::RekeyReport& report) {
  std::vector<client::BundleUpload> out;
  std::map<std::string, std::string> names;
  for (const auto& f : report.plan.files) {
    if (!will_change(f)) continue;
    const std::string name = bundle_name(f);
    if (auto ok = client::check_bundle_name(name); !ok) return fail(ok.error().context("--push " + f.input.path));
    if (auto [it, fresh] = names.emplace(name, f.input.path); !fresh)
      return fail(Errc::usage, "--push: " + it->second + " and " + f.input.path + " would both be bundle '" + name +
                                   "'; push them separately with vps-enroll push --name");
    out.push_back({name, {}});
  }
  for (const auto& [index, content] : report.contents)
    if (index < report.plan.files.size())
      for (auto& u : out)
        if (u.name == bundle_name(report.plan.files[index])) u.content = content.content;
  return out;
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
  if (o.common.json) return print_remove_json(report, options.recipient, o.dry_run);
  print_remove_human(report, o.dry_run);
  return 0;
}

Result<int> run_rekey(const Options& o) {
  if (o.removing()) return run_remove(o);
  if (o.push && o.host.empty()) return fail(Errc::usage, "rekey: --push needs --host HOST");
  rekey::RekeyOptions options;
  std::optional<client::SignedClient> endpoint;
  std::optional<EndpointHost> host;
  if (!o.host.empty()) {
    VPS_TRY(choose_recipient(o));  // usage errors first
    VPS_TRY(client::host_path(o.host));
    endpoint.emplace(VPS_TRY(client::connect(o.common)));
    host = VPS_TRY(host_from_endpoint(*endpoint, o.host));
    options.recipient = host->recipient;
    options.name_hint = o.host;
  } else {
    options.recipient = VPS_TRY(choose_recipient(o));
  }
  options.config_file = o.config_file;
  for (const auto& i : o.identities) options.identity_files.emplace_back(i);
  for (const auto& f : o.files) options.files.emplace_back(f);
  options.dry_run = o.dry_run;

  auto report = VPS_TRY(rekey::prepare(options));
  std::vector<client::BundleUpload> uploads;
  if (o.push) uploads = VPS_TRY(uploads_for(report));
  if (!o.dry_run) VPS_CHECK(rekey::write(report));
  nlohmann::json out = report_json(report, options.recipient, o);
  if (host) out["fingerprint"] = host->fingerprint;
  if (!o.common.json) print_human(report, o.dry_run);

  nlohmann::json pushed = nlohmann::json::array();
  if (o.push && o.dry_run) {
    for (const auto& f : report.plan.files)
      if (will_change(f)) {
        pushed.push_back({{"name", bundle_name(f)}, {"path", f.input.path}, {"pushed", false}});
        if (!o.common.json) std::printf("would push %s to %s\n", bundle_name(f).c_str(), o.host.c_str());
      }
  } else if (o.push && !uploads.empty()) {
    auto results = client::push_bundles(*endpoint, o.host, std::move(uploads), [&](const nlohmann::json& body) {
      if (!o.common.json)
        std::printf("pushed %s to %s (%lld bytes, sha256 %s)\n", client::shown(body, "name").c_str(), o.host.c_str(),
                    static_cast<long long>(body.value("size", std::int64_t{0})), client::shown(body, "sha256").c_str());
    });
    if (!results)
      return fail(results.error().context("rekey: files re-keyed and written, but the push failed (retry with vps-enroll push " +
                                          o.host + " FILE...)"));
    for (auto& r : *results) pushed.push_back(std::move(r));
  }
  if (o.common.json) {
    out["pushed"] = std::move(pushed);
    return client::print_json(out);
  }
  return 0;
}

const bool registered = vps::cli::register_command(65, [](CLI::App& app, vps::cli::Context& ctx) {
  auto o = std::make_shared<Options>();
  auto* sub = vps::cli::add_command(app, ctx, "rekey",
                                    "Add a host's recipient to .sops.yaml and re-key matching sops and age files "
                                    "(--remove: take it away, rotating the sops data keys)",
                                    [o] { return run_rekey(*o); });
  sub->add_option("--host", o->host, "Take the approved host's age recipient from the endpoint")->type_name("HOST");
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
  sub->add_flag("--push", o->push, "With --host: upload every changed file for the host, as vps-enroll push does");
  sub->add_option("files", o->files, "sops files, .age files and directories (walked for what .sops.yaml rules match)")
      ->type_name("FILE|DIR")
      ->required();
  client::add_operator_options(*sub, o->common);
});

}  // namespace
