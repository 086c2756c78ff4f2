#include <vps/config/rebuild_section.hpp>

#include <vps/config/fields.hpp>

namespace vps::config {

namespace {

constexpr std::size_t k_max_argv = 64;

Status parse_command(Fields& f, Rebuild& rebuild) {
  if (!f.has("command")) return {};
  if (!f.raw("command").IsSequence()) {
    return f.error_at("command", "must be a list of arguments (argv), never a shell string");
  }
  VPS_CHECK(f.string_list("command", rebuild.command));
  if (rebuild.command.empty() || rebuild.command.size() > k_max_argv) return f.error_at("command", "needs 1-64 arguments");
  if (rebuild.command.front().empty() || rebuild.command.front().front() != '/') {
    return f.error_at("command", "the program must be an absolute path");
  }
  return {};
}

}  // namespace

Status parse_rebuild(const YAML::Node& node, std::string_view source, Config& config) {
  auto& r = config.rebuild;
  auto f = VPS_TRY(Fields::open(node, "rebuild", source));
  if (f.has("authorized_operators")) {
    return f.error_at("authorized_operators",
                      "moved to the top-level 'authorized_operators' (one list decides both who may rebuild this "
                      "host and whose secret bundles it installs): move the key out of 'rebuild:'");
  }
  VPS_CHECK(parse_command(f, r));
  VPS_CHECK(f.duration("timeout", r.timeout));
  VPS_CHECK(f.duration("poll_wait", r.poll_wait));
  VPS_CHECK(f.absolute_path("state_file", r.state_file));
  VPS_CHECK(f.finish());
  if (r.timeout.count() <= 0) return f.error_at("timeout", "must be positive");
  if (r.poll_wait < std::chrono::seconds(1) || r.poll_wait > std::chrono::seconds(60)) {
    return f.error_at("poll_wait", "must be between 1s and 60s");
  }
  return {};
}

}  // namespace vps::config
