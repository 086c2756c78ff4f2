// vps-enroll show HOST: a host's key, status, key history, bundles and audit trail.
#include <cstdio>

#include <vps/enroll/client/operator_options.hpp>
#include <vps/enroll/client/output.hpp>
#include <vps/cli/registry.hpp>

namespace {

struct Options {
  vps::enroll::client::OperatorOptions common;
  std::string host;
};

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
  auto* sub = vps::cli::add_command(app, ctx, "show", "Show one host: key, status, history, bundles, audit",
                                    [o] { return run_show(*o); });
  sub->add_option("HOST", o->host, "Host name")->required();
  vps::enroll::client::add_operator_options(*sub, o->common);
});

}  // namespace
