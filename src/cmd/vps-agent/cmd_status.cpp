// vps-agent status: what this host's identity, enrollment, secrets and rebuilds look like: from
// files (no decryption), plus one bounded, host-signed request for the endpoint's view of the
// host (approved? revoked?) unless --offline. What the secrets service waits for, since when and
// why comes from its status file (host/secrets/status.hpp).
#include <memory>

#include <nlohmann/json.hpp>

#include <vps/base/text.hpp>
#include <vps/cli/registry.hpp>
#include <vps/config/load.hpp>
#include <vps/formats/openssh/fingerprint.hpp>
#include <vps/base/clock.hpp>
#include <vps/host/delivery/endpoint_view.hpp>
#include <vps/host/identity/age_recipient.hpp>
#include <vps/host/secrets/status.hpp>
#include <vps/host/identity/host_key.hpp>
#include <vps/host/identity/instance_id.hpp>
#include <vps/host/identity/quarantine.hpp>
#include <vps/host/mounts/generations.hpp>
#include <vps/host/rebuild/sequence_file.hpp>
#include <vps/host/state/state_store.hpp>

namespace {

using namespace vps;
using nlohmann::json;

struct Options {
  bool json = false;
  bool offline = false;
};

constexpr std::chrono::seconds k_endpoint_timeout{5};

json identity_status(const config::Config& config) {
  json out = {{"host_key", config.identity.host_key.string()}};
  auto key = host::identity::load_host_public_key(config.identity.host_key);
  if (!key) {
    out["present"] = false;
    out["error"] = key.error().message;
    out["error_class"] = std::string(errc_name(key.error().code));
    return out;
  }
  out["present"] = true;
  out["fingerprint"] = formats::openssh::sha256_fingerprint(key->key);
  out["public_key"] = formats::openssh::format_public_key_line(*key);
  if (auto age = host::identity::age_recipient(key->key)) out["age_recipient"] = *age;
  return out;
}

// The live generation (the link's target), not whether the secrets would decrypt now.
json secrets_status(const config::Config& config) {
  const auto& secrets = config.secrets;
  json out = {{"files", secrets.files.size()}, {"templates", secrets.templates.size()},
              {"link", secrets.link.string()}, {"generation", nullptr}};
  auto generation = host::mounts::current_generation(secrets.link, secrets.mount);
  if (!generation) out["error"] = generation.error().message;
  else if (*generation) out["generation"] = **generation;
  // The running service's view (absent while it has not run since boot).
  auto service = host::secrets::read_status(secrets.mount);
  if (!service) out["service_error"] = service.error().message;
  else if (*service) out["service"] = json::parse(host::secrets::to_json(**service));
  return out;
}

json rebuilds_status(const config::Config& config) {
  const auto& rebuild = config.rebuild;
  json out = {{"configured", !rebuild.command.empty()}, {"command", rebuild.command}};
  if (rebuild.command.empty()) return out;
  const auto path = host::rebuild::sequence_file_path(config);
  out["state_file"] = path.string();
  auto last = host::rebuild::load_last_sequence(path);
  if (!last) out["error"] = last.error().message;
  else out["last_sequence"] = *last;
  return out;
}

json build_status(const config::Config& config, const std::filesystem::path& root, bool offline) {
  json status = {{"identity", identity_status(config)}};
  json quarantined = json::array();
  for (const auto& path : host::identity::list_quarantined(config.identity.host_key)) quarantined.push_back(path.string());
  status["identity"]["quarantined"] = quarantined;

  auto current = host::identity::read_instance_id(config.instance);
  json instance = {{"source", std::string(config::to_string(config.instance.id_source))},
                   {"current", current ? *current : std::string()}};
  if (!current) instance["error"] = current.error().message;

  auto state = host::state::load_state(config.state_dir);
  json enrollment = {{"status", "none"}};
  if (!state) {
    status["state_error"] = state.error().message;
  } else if (*state) {
    const auto& s = **state;
    instance["recorded"] = s.instance_id;
    instance["matches"] = current && (current->empty() || s.instance_id.empty() || *current == s.instance_id);
    status["identity"]["recorded_fingerprint"] = s.fingerprint;
    status["identity"]["created"] = s.created;
    enrollment = {{"status", s.enrollment.status},
                  {"last_attempt", s.enrollment.last_attempt},
                  {"last_error", s.enrollment.last_error},
                  {"acknowledged_at", s.enrollment.acknowledged_at}};
    // Recorded by `vps-agent publish` while the endpoint answers "pending".
    if (auto w = s.enrollment.extra.find("waiting_for"); w != s.enrollment.extra.end() && w->is_string()) {
      enrollment["waiting_for"] = *w;
    }
  }
  enrollment["endpoint"] = config.enrollment.endpoint;
  if (!offline) {
    auto view = host::delivery::endpoint_view(config, root, k_endpoint_timeout);
    if (!view) enrollment["endpoint_error"] = view.error().message;
    else if (*view) {
      enrollment["endpoint_view"] = **view;
      enrollment["endpoint"] = (**view)["endpoint"];
    }
  }
  status["instance"] = instance;
  status["enrollment"] = enrollment;
  status["secrets"] = secrets_status(config);
  status["rebuilds"] = rebuilds_status(config);
  return status;
}

// Values may quote an endpoint's answer (last error): control characters arrive escaped.
std::string text_of(const json& v) { return text::escape_control(v.is_string() ? v.get<std::string>() : v.dump()); }

void print_text(const json& s) {
  const auto& id = s["identity"];
  std::printf("identity:    %s\n", id["present"].get<bool>() ? text_of(id["fingerprint"]).c_str() : "none");
  std::printf("  host key:  %s\n", text_of(id["host_key"]).c_str());
  if (id.contains("error")) std::printf("  problem:   %s\n", text_of(id["error"]).c_str());
  if (id.contains("age_recipient")) std::printf("  age:       %s\n", text_of(id["age_recipient"]).c_str());
  for (const auto& q : id["quarantined"]) std::printf("  quarantined: %s\n", text_of(q).c_str());
  const auto& inst = s["instance"];
  std::printf("instance:    %s (%s)\n", text_of(inst["current"]).empty() ? "unknown" : text_of(inst["current"]).c_str(),
              text_of(inst["source"]).c_str());
  if (inst.contains("recorded") && inst.value("matches", true) == false)
    std::printf("  recorded:  %s (differs: run vps-agent firstboot)\n", text_of(inst["recorded"]).c_str());
  const auto& e = s["enrollment"];
  // The endpoint's answer now beats what publish recorded at its last attempt.
  if (e.contains("endpoint_view"))
    std::printf("enrollment:  %s (the endpoint's view now)\n", text_of(e["endpoint_view"].value("status", json("?"))).c_str());
  else std::printf("enrollment:  %s\n", text_of(e["status"]).c_str());
  if (e.contains("endpoint_error")) std::printf("  endpoint unreachable: %s\n", text_of(e["endpoint_error"]).c_str());
  if (e.contains("waiting_for")) std::printf("  waiting for %s\n", text_of(e["waiting_for"]).c_str());
  if (!text_of(e["endpoint"]).empty()) std::printf("  endpoint:  %s\n", text_of(e["endpoint"]).c_str());
  if (e.contains("last_attempt") && !text_of(e["last_attempt"]).empty())
    std::printf("  last try:  %s\n", text_of(e["last_attempt"]).c_str());
  if (e.contains("last_error") && !text_of(e["last_error"]).empty())
    std::printf("  last error: %s\n", text_of(e["last_error"]).c_str());
  const auto& sec = s["secrets"];
  const std::string configured = text_of(sec["files"]) + " files, " + text_of(sec["templates"]) + " templates configured";
  if (!sec["generation"].is_null())
    std::printf("secrets:     generation %s (%s)\n", text_of(sec["generation"]).c_str(), configured.c_str());
  else std::printf("secrets:     none active (%s)\n", configured.c_str());
  if (sec.contains("error")) std::printf("  problem:   %s\n", text_of(sec["error"]).c_str());
  if (sec.contains("service")) {
    const auto& svc = sec["service"];
    for (const auto& u : svc["unavailable"]) {
      const bool stale = u.value("stale", false);
      std::printf("  %s %s since %s: %s\n", stale ? "stale:  " : (u.value("waiting", false) ? "waiting:" : "broken: "),
                  text_of(u["name"]).c_str(), clock::utc_readable(u.value("since", std::int64_t{0})).c_str(),
                  text_of(u["reason"]).c_str());
    }
    for (const auto& unit : svc["blocked_units"]) std::printf("  holding:  %s (until its secrets arrive)\n", text_of(unit).c_str());
    if (!text_of(svc["endpoint"]).empty()) std::printf("  %s\n", text_of(svc["endpoint"]).c_str());
  }
  if (sec.contains("service_error")) std::printf("  service status: %s\n", text_of(sec["service_error"]).c_str());
  const auto& r = s["rebuilds"];
  if (!r["configured"].get<bool>()) {
    std::printf("rebuilds:    not configured (no rebuild.command)\n");
  } else {
    std::string command;
    for (const auto& arg : r["command"]) command += (command.empty() ? "" : " ") + text_of(arg);
    if (r.contains("error")) std::printf("rebuilds:    BLOCKED (vps-agent watch will not start): %s\n", text_of(r["error"]).c_str());
    else if (r["last_sequence"].get<std::int64_t>() == 0) std::printf("rebuilds:    none applied yet\n");
    else std::printf("rebuilds:    last applied sequence %s\n", text_of(r["last_sequence"]).c_str());
    std::printf("  command:   %s\n", command.c_str());
  }
  if (s.contains("state_error")) std::printf("state:       %s\n", text_of(s["state_error"]).c_str());
}

Result<int> run_status(const cli::Context& ctx, const Options& options) {
  auto config = VPS_TRY(config::load(ctx.root, ctx.config_path));
  auto status = build_status(config, ctx.root, options.offline);
  if (options.json) std::fputs((status.dump(2) + "\n").c_str(), stdout);
  else print_text(status);
  return 0;
}

const bool registered = cli::register_command(90, [](CLI::App& app, cli::Context& ctx) {
  auto options = std::make_shared<Options>();
  auto* sub = cli::add_command(app, ctx, "status",
                               "Show host identity, instance, enrollment (the endpoint's view), quarantined keys, the live secrets generation and what it waits for, and the last applied rebuild",
                               [&ctx, options] { return run_status(ctx, *options); });
  sub->add_flag("--json", options->json, "Print machine-readable JSON");
  sub->add_flag("--offline", options->offline, "Do not ask the enrollment endpoint for its view of this host");
});

}  // namespace
