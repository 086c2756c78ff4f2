// vps-enroll audit: export the endpoint's audit trail (who approved, pushed, rebuilt, revoked
// what), as a table or as JSON lines for a SIEM (enroll/client/audit.hpp).
#include <cstdio>

#include <vps/base/clock.hpp>
#include <vps/base/text.hpp>
#include <vps/cli/registry.hpp>
#include <vps/enroll/client/audit.hpp>
#include <vps/enroll/client/operator_options.hpp>
#include <vps/enroll/client/output.hpp>

namespace {

using namespace vps;

struct Options {
  enroll::client::OperatorOptions common;
  std::string host;
  std::string since;
  std::int64_t after = 0;
  std::size_t limit = 100000;
};

Result<int> run_audit(const Options& o) {
  enroll::client::AuditFilter filter;
  if (!o.host.empty()) filter.host = o.host;
  if (!o.since.empty()) filter.since = VPS_TRY(enroll::client::parse_since(o.since, clock::unix_seconds()));
  filter.after = o.after;
  filter.limit = o.limit;
  if (filter.host) VPS_CHECK(enroll::client::host_path(*filter.host));  // before connect (passphrase)
  auto client = VPS_TRY(enroll::client::connect(o.common));
  if (!o.common.json) std::printf("%-23s %-20s %-22s %-24s %s\n", "TIME", "ACTOR", "ACTION", "TARGET", "DETAIL");
  const auto walk = VPS_TRY(enroll::client::walk_audit(client, filter, [&](const protocol::AuditRecord& e) {
    if (o.common.json) {
      // JSON lines: one compact object per entry (invalid UTF-8 from the endpoint replaced).
      std::puts(protocol::to_json(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
      std::printf("%-23s %-20s %-22s %-24s %s\n", clock::utc_readable(e.at).c_str(), text::escape_control(e.actor).c_str(),
                  text::escape_control(e.action).c_str(), text::escape_control(e.target).c_str(),
                  text::escape_control(e.detail).c_str());
    }
  }));
  std::fflush(stdout);
  if (!walk.complete) {
    std::fprintf(stderr, "vps-enroll: stopped at --limit %zu entries; resume with --after %lld\n", o.limit,
                 static_cast<long long>(walk.last_id));
  }
  return 0;
}

const bool registered = vps::cli::register_command(40, [](CLI::App& app, vps::cli::Context& ctx) {
  auto o = std::make_shared<Options>();
  auto* sub = vps::cli::add_command(app, ctx, "audit", "Export the endpoint's audit trail (JSON lines with --json)",
                                    [o] { return run_audit(*o); });
  sub->add_option("--host", o->host, "Only entries about this host")->option_text("HOST");
  sub->add_option("--since", o->since, "Only entries from then on: a duration back from now (24h, 7d) or a UTC time "
                                       "(2026-12-01, 2026-12-01T08:00:00Z)")
      ->option_text("WHEN");
  sub->add_option("--after", o->after, "Only entries after this id (resume an export)")->option_text("ID");
  sub->add_option("--limit", o->limit, "At most this many entries (default 100000)")->option_text("N");
  enroll::client::add_operator_options(*sub, o->common);
});

}  // namespace
