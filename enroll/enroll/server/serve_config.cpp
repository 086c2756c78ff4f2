#include <enroll/server/serve_config.hpp>

#include <yaml-cpp/yaml.h>

#include <set>

#include <vps/net/http/url.hpp>

namespace vps::enroll::server {

namespace {

template <class T>
Result<T> scalar(const YAML::Node& node, const std::string& key, std::string_view source) {
  try {
    return node.as<T>();
  } catch (const YAML::Exception&) {
    return fail(Errc::config, std::string(source) + ": invalid value for '" + key + "'");
  }
}

Result<std::int64_t> bounded(const YAML::Node& node, const std::string& key, std::string_view source, std::int64_t lo,
                             std::int64_t hi) {
  auto value = VPS_TRY(scalar<std::int64_t>(node, key, source));
  if (value < lo || value > hi) {
    return fail(Errc::config, std::string(source) + ": '" + key + "' must be between " + std::to_string(lo) + " and " +
                                  std::to_string(hi));
  }
  return value;
}

}  // namespace

Result<ServeConfig> parse_serve_config(std::string_view yaml, std::string_view source_name, ServeConfig config) {
  const std::string source(source_name);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return fail(Errc::config, source + ": invalid YAML: " + e.msg);
  }
  if (root.IsNull()) return config;
  if (!root.IsMap()) return fail(Errc::config, source + ": expected a mapping of settings");
  for (const auto& item : root) {
    const std::string key = item.first.as<std::string>();
    const YAML::Node& v = item.second;
    if (key == "listen") config.http.address = VPS_TRY(scalar<std::string>(v, key, source));
    else if (key == "port") config.http.port = static_cast<std::uint16_t>(VPS_TRY(bounded(v, key, source, 0, 65535)));
    else if (key == "tls_cert") config.http.cert_file = VPS_TRY(scalar<std::string>(v, key, source));
    else if (key == "tls_key") config.http.key_file = VPS_TRY(scalar<std::string>(v, key, source));
    else if (key == "database") config.database = VPS_TRY(scalar<std::string>(v, key, source));
    else if (key == "operators") config.operators = VPS_TRY(scalar<std::string>(v, key, source));
    else if (key == "auto_approve_with_token") config.policy.auto_approve_with_token = VPS_TRY(scalar<bool>(v, key, source));
    else if (key == "max_skew_seconds") config.policy.auth.max_skew_seconds = VPS_TRY(bounded(v, key, source, 10, 3600));
    else if (key == "audit_retention_days") config.policy.audit_retention_days = VPS_TRY(bounded(v, key, source, 1, 36500));
    else if (key == "max_body_bytes") {
      const auto bytes = static_cast<std::size_t>(VPS_TRY(bounded(v, key, source, 16 * 1024, 256 * 1024 * 1024)));
      config.http.max_body_bytes = bytes;
      config.policy.max_bundle_bytes = bytes;
    } else if (key == "first_byte_timeout_seconds") {
      config.http.first_byte_timeout = std::chrono::seconds(VPS_TRY(bounded(v, key, source, 1, 600)));
    } else if (key == "header_timeout_seconds") {
      config.http.header_timeout = std::chrono::seconds(VPS_TRY(bounded(v, key, source, 1, 600)));
    } else if (key == "request_timeout_seconds") {
      config.http.request_timeout = std::chrono::seconds(VPS_TRY(bounded(v, key, source, 1, 600)));
    } else if (key == "idle_timeout_seconds") {
      config.http.idle_timeout = std::chrono::seconds(VPS_TRY(bounded(v, key, source, 1, 3600)));
    } else if (key == "max_connections") {
      config.http.max_connections = static_cast<std::size_t>(VPS_TRY(bounded(v, key, source, 1, 65536)));
    } else if (key == "max_connections_per_address") {
      config.http.max_connections_per_address = static_cast<std::size_t>(VPS_TRY(bounded(v, key, source, 1, 65536)));
    } else {
      return fail(Errc::config, source + ": unknown setting '" + key + "'");
    }
  }
  return config;
}

Status validate(const ServeConfig& config) {
  const bool tls = config.http.cert_file.has_value() || config.http.key_file.has_value();
  if (tls && !(config.http.cert_file && config.http.key_file)) {
    return fail(Errc::config, "serve: tls_cert and tls_key go together");
  }
  if (!tls && !net::http::is_loopback_host(config.http.address)) {
    return fail(Errc::config, "serve: plain HTTP is only allowed on a loopback address; configure tls_cert and "
                              "tls_key to listen on '" + config.http.address + "'");
  }
  return {};
}

}  // namespace vps::enroll::server
