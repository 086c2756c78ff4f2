// vps-enroll token create HOST --ttl 1h: a one-time enrollment token for the host's
// user-data. Printed once; the endpoint keeps only its hash.
#include <cstdio>

#include <vps/base/text.hpp>
#include <vps/cli/duration_option.hpp>
#include <vps/enroll/client/operator_options.hpp>
#include <vps/enroll/client/output.hpp>
#include <vps/cli/registry.hpp>
#include <vps/protocol/enrollment_token.hpp>

namespace {

struct Options {
  vps::enroll::client::OperatorOptions common;
  std::string host;
  std::string ttl = "1h";
};

// Tokens live at most a year (plus a day): user-data for hosts not yet created.
constexpr std::chrono::hours k_max_ttl(366 * 24);

vps::Result<int> run_token_create(const Options& o) {
  (void)VPS_TRY(vps::enroll::client::host_path(o.host));
  const auto ttl_ms = VPS_TRY(vps::cli::duration_option(o.ttl, "--ttl", std::chrono::seconds(1), k_max_ttl));
  const std::int64_t ttl = std::chrono::duration_cast<std::chrono::seconds>(ttl_ms).count();
  auto client = VPS_TRY(vps::enroll::client::connect(o.common));
  const vps::protocol::TokenRequest request{o.host, ttl};
  auto body = VPS_TRY(client.call_json("POST", "/v1/tokens", vps::protocol::to_json(request).dump()));
  if (o.common.json) return vps::enroll::client::print_json(body);
  const auto grant = VPS_TRY(vps::protocol::parse_token_grant(body));
  std::printf("%s\n", vps::text::escape_control(grant.token).c_str());
  std::fprintf(stderr, "one-time token for %s, expires %s; it is shown only now\n", o.host.c_str(),
               vps::enroll::client::format_time(grant.expires_at).c_str());
  return 0;
}

const bool registered = vps::cli::register_command(24, [](CLI::App& app, vps::cli::Context& ctx) {
  auto* token = app.add_subcommand("token", "Manage one-time enrollment tokens");
  token->require_subcommand(1);
  auto o = std::make_shared<Options>();
  auto* create = vps::cli::add_command(*token, ctx, "create", "Create a one-time enrollment token for HOST",
                                       [o] { return run_token_create(*o); });
  create->add_option("HOST", o->host, "Host name the token may enroll")->required();
  create->add_option("--ttl", o->ttl, "Validity (e.g. 30m, 1h, 7d; default 1h)")->option_text("DURATION");
  vps::enroll::client::add_operator_options(*create, o->common);
});

}  // namespace
