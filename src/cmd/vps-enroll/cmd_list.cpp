// vps-enroll list: hosts known to the endpoint and their enrollment status. The endpoint hands
// out the list in pages (GET /v1/hosts?limit=&after=&status=, in name order); this walks them,
// at most --limit hosts in all, so neither side ever holds an unbounded answer.
#include <algorithm>
#include <cstdio>

#include <vps/protocol/host_status.hpp>
#include <vps/enroll/client/operator_options.hpp>
#include <vps/enroll/client/output.hpp>
#include <vps/enroll/routes/names.hpp>
#include <vps/base/text.hpp>
#include <vps/cli/registry.hpp>

namespace {

constexpr std::size_t k_page = 1000;  // the endpoint's largest page

struct Options {
  vps::enroll::client::OperatorOptions common;
  std::string status;      // empty: every status
  std::string after;       // start after this name
  std::size_t limit = 10000;
};

struct Listing {
  nlohmann::json hosts = nlohmann::json::array();
  std::string next;  // where a further `list --after` would go on; empty when complete
};

vps::Result<Listing> fetch(vps::enroll::client::SignedClient& client, const Options& o) {
  Listing out;
  std::string after = o.after;
  // Each page ends the walk or adds at least one host and moves `after` forward, so there are
  // at most `limit` pages (limit / k_page + 1 from an endpoint that fills its pages).
  while (out.hosts.size() < o.limit) {
    const std::size_t want = std::min(k_page, o.limit - out.hosts.size());
    std::string target = "/v1/hosts?limit=" + std::to_string(want);
    if (!after.empty()) target += "&after=" + after;
    if (!o.status.empty()) target += "&status=" + o.status;
    auto body = VPS_TRY(client.call_json("GET", target));
    if (!body.is_object() || !body["hosts"].is_array() || body["hosts"].size() > want) {
      return vps::fail(vps::Errc::malformed, "list: the endpoint's answer to " + target + " is not a page of hosts");
    }
    for (auto& host : body["hosts"]) out.hosts.push_back(std::move(host));
    if (!body["next"].is_string()) return out;
    const std::string next = body["next"].get<std::string>();
    if (!vps::enroll::routes::valid_host_name(next) || next <= after || body["hosts"].empty()) {
      return vps::fail(vps::Errc::malformed, "list: the endpoint's page after '" + after + "' does not move on");
    }
    after = next;
  }
  out.next = after;
  return out;
}

vps::Result<int> run_list(const Options& o) {
  if (!o.status.empty() && !vps::protocol::parse_host_status(o.status)) {
    return vps::fail(vps::Errc::usage, "--status must be pending, approved, rejected or revoked");
  }
  if (!o.after.empty() && !vps::enroll::routes::valid_host_name(o.after)) {
    return vps::fail(vps::Errc::usage, "--after must be a host name ([a-z0-9][a-z0-9.-]{0,62})");
  }
  auto client = VPS_TRY(vps::enroll::client::connect(o.common));
  auto listing = VPS_TRY(fetch(client, o));
  if (o.common.json) {
    nlohmann::json out = nlohmann::json::object();
    out["hosts"] = std::move(listing.hosts);
    out["next"] = listing.next.empty() ? nlohmann::json(nullptr) : nlohmann::json(listing.next);
    return vps::enroll::client::print_json(out);
  }
  const auto& hosts = listing.hosts;
  if (hosts.empty()) {
    std::puts("no hosts");
    return 0;
  }
  std::printf("%-24s %-9s %-52s %s\n", "HOST", "STATUS", "FINGERPRINT", "LAST SEEN");
  bool any_flagged = false;
  for (const auto& h : hosts) {
    using vps::enroll::client::shown;
    std::string status = shown(h, "status");
    if (h.value("flagged_keys", 0) > 0) status += "!";
    any_flagged = any_flagged || h.value("flagged_keys", 0) > 0;
    std::printf("%-24s %-9s %-52s %s\n", shown(h, "name").c_str(), status.c_str(), shown(h, "fingerprint").c_str(),
                vps::enroll::client::format_time(h.value("last_seen_at", std::int64_t{0})).c_str());
  }
  if (any_flagged) {
    std::puts("! a different key was also published for this host (see `vps-enroll show HOST`; a re-provisioned "
              "instance: vps-enroll approve HOST --replace --fingerprint SHA256:...)");
  }
  if (!listing.next.empty()) {
    std::printf("(%zu hosts shown; more follow: vps-enroll list --after %s)\n", hosts.size(),
                vps::text::escape_control(listing.next).c_str());
  }
  return 0;
}

const bool registered = vps::cli::register_command(20, [](CLI::App& app, vps::cli::Context& ctx) {
  auto o = std::make_shared<Options>();
  auto* sub = vps::cli::add_command(app, ctx, "list", "List hosts and their enrollment status", [o] { return run_list(*o); });
  sub->add_option("--status", o->status, "Only hosts with this status: pending, approved, rejected or revoked")
      ->option_text("STATUS");
  sub->add_option("--after", o->after, "Start after this host name (names are listed in order)")->option_text("HOST");
  sub->add_option("--limit", o->limit, "List at most N hosts (default 10000)")
      ->option_text("N")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  vps::enroll::client::add_operator_options(*sub, o->common);
});

}  // namespace
