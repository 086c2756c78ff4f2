// vps-enroll show HOST: a host's key, status, key history (retired keys too), bundles, the
// host's latest secrets report (generation, pending secrets and why, bundles it refused) and
// the audit trail.
#include <cstdio>

#include <vps/enroll/client/operator_options.hpp>
#include <vps/enroll/client/output.hpp>
#include <vps/cli/registry.hpp>

namespace {

struct Options {
  vps::enroll::client::OperatorOptions common;
  std::string host;
};

// What the host last said about its secrets: the generation it runs, what is pending and why,
// and each bundle it refused (a bad push shows here, not only in the host's journal).
void print_report(const nlohmann::json& r) {
  using vps::enroll::client::format_time;
  using vps::enroll::client::shown;
  if (!r.is_object()) {
    std::puts("secrets report: none yet");
    return;
  }
  const auto& generation = r["generation"];
  std::printf("secrets report: generation %s, updated %s (received %s)\n",
              generation.is_number_unsigned() ? std::to_string(generation.get<std::uint64_t>()).c_str() : "none",
              format_time(r.value("updated_at", std::int64_t{0})).c_str(),
              format_time(r.value("received_at", std::int64_t{0})).c_str());
  const auto& pending = r["pending"];
  if (pending.is_array() && !pending.empty()) {
    std::puts("  pending secrets:");
    for (const auto& p : pending) {
      std::printf("    %s (from %s): %s\n", shown(p, "secret").c_str(), shown(p, "source").c_str(),
                  shown(p, "reason").c_str());
    }
  } else {
    std::puts("  pending secrets: none");
  }
  bool any_refused = false;
  if (r["bundles"].is_array()) {
    for (const auto& b : r["bundles"]) {
      if (b.value("outcome", "") != "refused") continue;
      if (!any_refused) std::puts("  bundles the host refused:");
      any_refused = true;
      std::printf("    %s (sequence %lld, sha256 %s): %s\n", shown(b, "name").c_str(),
                  static_cast<long long>(b.value("sequence", std::int64_t{0})), shown(b, "sha256").c_str(),
                  shown(b, "detail").c_str());
    }
  }
  if (!any_refused) std::puts("  bundles the host refused: none");
}

// Every field came from the endpoint, and instance id and hostname from the host itself.
void print_host(const nlohmann::json& h) {
  using vps::enroll::client::format_time;
  using vps::enroll::client::shown;
  std::printf("host:          %s\n", shown(h, "name").c_str());
  std::printf("status:        %s\n", shown(h, "status").c_str());
  std::printf("fingerprint:   %s\n", shown(h, "fingerprint").c_str());
  std::printf("age recipient: %s\n", shown(h, "age_recipient").c_str());
  std::printf("instance id:   %s\n", shown(h, "instance_id").c_str());
  std::printf("hostname:      %s\n", shown(h, "hostname").c_str());
  std::printf("first seen:    %s\n", format_time(h.value("created_at", std::int64_t{0})).c_str());
  std::printf("last seen:     %s\n", format_time(h.value("last_seen_at", std::int64_t{0})).c_str());
  if (h["decided_by"].is_string()) {
    std::printf("decided by:    %s at %s\n", shown(h, "decided_by").c_str(),
                format_time(h.value("decided_at", std::int64_t{0})).c_str());
  }
  std::puts("keys published:");
  for (const auto& e : h["enrollments"]) {
    std::printf("  %-9s %s  %s%s\n", shown(e, "status").c_str(), shown(e, "fingerprint").c_str(),
                format_time(e.value("published_at", std::int64_t{0})).c_str(), e.value("via_token", false) ? " (token)" : "");
  }
  std::puts(h["bundles"].empty() ? "bundles:       none" : "bundles:");
  for (const auto& b : h["bundles"]) {
    std::printf("  %-32s %8lld bytes  sha256 %s\n", shown(b, "name").c_str(),
                static_cast<long long>(b.value("size", std::int64_t{0})), shown(b, "sha256").c_str());
  }
  if (h.contains("retired_keys") && h["retired_keys"].is_array() && !h["retired_keys"].empty()) {
    std::puts("retired keys (refused for good):");
    for (const auto& k : h["retired_keys"]) {
      std::printf("  %-8s %s  %s  by %s at %s%s%s\n", shown(k, "kind").c_str(), shown(k, "fingerprint").c_str(),
                  shown(k, "age_recipient").c_str(), shown(k, "retired_by").c_str(),
                  format_time(k.value("retired_at", std::int64_t{0})).c_str(), k.value("reason", "").empty() ? "" : ": ",
                  shown(k, "reason").c_str());
    }
  }
  print_report(h.contains("secrets_report") ? h["secrets_report"] : nlohmann::json(nullptr));
  std::puts("audit (newest first):");
  for (const auto& a : h["audit"]) {
    std::printf("  %s  %-20s %-8s %s\n", format_time(a.value("at", std::int64_t{0})).c_str(), shown(a, "actor").c_str(),
                shown(a, "action").c_str(), shown(a, "detail").c_str());
  }
}

vps::Result<int> run_show(const Options& o) {
  const std::string path = VPS_TRY(vps::enroll::client::host_path(o.host));
  auto client = VPS_TRY(vps::enroll::client::connect(o.common));
  auto body = VPS_TRY(client.call_json("GET", path));
  if (o.common.json) return vps::enroll::client::print_json(body);
  print_host(body);
  return 0;
}

const bool registered = vps::cli::register_command(21, [](CLI::App& app, vps::cli::Context& ctx) {
  auto o = std::make_shared<Options>();
  auto* sub = vps::cli::add_command(app, ctx, "show", "Show one host: key, status, history, bundles, secrets report, audit",
                                    [o] { return run_show(*o); });
  sub->add_option("HOST", o->host, "Host name")->required();
  vps::enroll::client::add_operator_options(*sub, o->common);
});

}  // namespace
