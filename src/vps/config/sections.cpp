#include <vps/config/sections.hpp>

#include <vps/config/fields.hpp>
#include <vps/config/operators_section.hpp>
#include <vps/config/rebuild_section.hpp>
#include <vps/config/secrets_section.hpp>

namespace vps::config {
namespace {

Status parse_identity(const YAML::Node& node, std::string_view source, Config& config) {
  auto f = VPS_TRY(Fields::open(node, "identity", source));
  VPS_CHECK(f.absolute_path("host_key", config.identity.host_key));
  VPS_CHECK(f.choice("on_corrupt_key", config.identity.on_corrupt_key,
                     {{"fail", OnCorruptKey::fail},
                      {"regenerate", OnCorruptKey::regenerate},
                      {"auto", OnCorruptKey::automatic}}));
  return f.finish();
}

Status parse_instance(const YAML::Node& node, std::string_view source, Config& config) {
  auto f = VPS_TRY(Fields::open(node, "instance", source));
  VPS_CHECK(f.choice("id_source", config.instance.id_source,
                     {{"dmi", IdSource::dmi}, {"metadata", IdSource::metadata}, {"auto", IdSource::automatic}}));
  VPS_CHECK(f.absolute_path("dmi_path", config.instance.dmi_path));
  return f.finish();
}

Status parse_state_dir(const YAML::Node& node, std::string_view source, Config& config) {
  // A top-level scalar: read it through a one-key view of the root mapping.
  YAML::Node wrapper;
  wrapper["state_dir"] = node;
  auto f = VPS_TRY(Fields::open(wrapper, "", source));
  return f.absolute_path("state_dir", config.state_dir);
}

Status parse_console(const YAML::Node& node, std::string_view source, Config& config) {
  auto f = VPS_TRY(Fields::open(node, "console", source));
  VPS_CHECK(f.absolute_path("path", config.console.path));
  return f.finish();
}

Status parse_retry(Fields& f, Retry& retry) {
  VPS_CHECK(f.duration("initial_delay", retry.initial_delay));
  VPS_CHECK(f.duration("max_delay", retry.max_delay));
  VPS_CHECK(f.duration("attempt_timeout", retry.attempt_timeout));
  VPS_CHECK(f.duration("overall_timeout", retry.overall_timeout));
  VPS_CHECK(f.finish());
  if (retry.initial_delay.count() == 0) return f.error_at("initial_delay", "must be positive");
  if (retry.max_delay < retry.initial_delay) return f.error_at("max_delay", "is shorter than initial_delay");
  if (retry.attempt_timeout.count() == 0) return f.error_at("attempt_timeout", "must be positive");
  return {};
}

Status parse_enrollment(const YAML::Node& node, std::string_view source, Config& config) {
  auto& e = config.enrollment;
  auto f = VPS_TRY(Fields::open(node, "enrollment", source));
  // allow_insecure_http first: it decides whether endpoint may be http:// to a remote host.
  VPS_CHECK(f.boolean("allow_insecure_http", e.allow_insecure_http));
  VPS_CHECK(f.url("endpoint", e.endpoint, e.allow_insecure_http));
  VPS_CHECK(f.absolute_path("ca_file", e.ca_file));
  VPS_CHECK(f.boolean("require_token", e.require_token));
  VPS_CHECK(f.absolute_path("token_file", e.token_file));
  auto retry = VPS_TRY(f.nested("retry"));
  VPS_CHECK(parse_retry(retry, e.retry));
  return f.finish();
}

Status parse_metadata(const YAML::Node& node, std::string_view source, Config& config) {
  auto f = VPS_TRY(Fields::open(node, "metadata", source));
  VPS_CHECK(f.boolean("enabled", config.metadata.enabled));
  // The link-local metadata service is plain http by design (Linode: 169.254.169.254).
  VPS_CHECK(f.url("base_url", config.metadata.base_url, /*allow_http=*/true));
  VPS_CHECK(f.duration("token_ttl", config.metadata.token_ttl));
  VPS_CHECK(f.finish());
  auto ttl = std::chrono::duration_cast<std::chrono::seconds>(config.metadata.token_ttl).count();
  if (ttl < 1 || ttl > 86400) return f.error_at("token_ttl", "must be between 1s and 24h");
  return {};
}

constexpr SectionParser k_sections[] = {
    {"identity", parse_identity},     {"instance", parse_instance}, {"state_dir", parse_state_dir},
    {"console", parse_console},       {"enrollment", parse_enrollment}, {"metadata", parse_metadata},
    {"secrets", parse_secrets},       {"rebuild", parse_rebuild},   {"authorized_operators", parse_authorized_operators},
};

}  // namespace

std::span<const SectionParser> sections() { return k_sections; }

std::string_view to_string(OnCorruptKey value) {
  switch (value) {
    case OnCorruptKey::fail: return "fail";
    case OnCorruptKey::regenerate: return "regenerate";
    case OnCorruptKey::automatic: return "auto";
  }
  return "?";
}

std::string_view to_string(IdSource value) {
  switch (value) {
    case IdSource::dmi: return "dmi";
    case IdSource::metadata: return "metadata";
    case IdSource::automatic: return "auto";
  }
  return "?";
}

}  // namespace vps::config
