#include <vps/enroll/server/serve_config.hpp>

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
    else if (key == "endpoint_urls") {
      if (!v.IsSequence()) return fail(Errc::config, source + ": 'endpoint_urls' must be a list of URLs");
      config.endpoint_urls.clear();
      for (const auto& url : v) config.endpoint_urls.push_back(VPS_TRY(scalar<std::string>(url, key, source)));
    }
    else if (key == "auto_approve_with_token") config.policy.auto_approve_with_token = VPS_TRY(scalar<bool>(v, key, source));
    else if (key == "max_skew_seconds") config.policy.auth.max_skew_seconds = VPS_TRY(bounded(v, key, source, 10, 3600));
    else if (key == "audit_retention_days") config.policy.audit_retention_days = VPS_TRY(bounded(v, key, source, 1, 36500));
    else if (key == "max_pending") config.policy.max_pending = VPS_TRY(bounded(v, key, source, 1, 10'000'000));
    else if (key == "max_pending_per_address") config.policy.max_pending_per_address = VPS_TRY(bounded(v, key, source, 1, 10'000'000));
    else if (key == "pending_expiry_days") config.policy.pending_expiry_days = VPS_TRY(bounded(v, key, source, 1, 3650));
    else if (key == "publish_rate_per_minute") config.policy.publish_rate.per_minute = VPS_TRY(bounded(v, key, source, 1, 1'000'000));
    else if (key == "publish_burst") config.policy.publish_rate.burst = VPS_TRY(bounded(v, key, source, 1, 1'000'000));
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
  for (const auto& text : config.endpoint_urls) {
    auto url = net::http::parse_url(text);
    if (!url) return fail(std::move(url).error().context("serve: endpoint_urls"));
    if (url->tls() != tls) {
      return fail(Errc::config, "serve: endpoint_urls: '" + text + "' is " + url->scheme + " but this endpoint serves " +
                                    (tls ? "https" : "http") + " (a TLS-terminating proxy in front? then list the URL "
                                    "clients use and serve TLS here too, or listen on loopback)");
    }
  }
  if (config.endpoint_urls.empty() && !net::http::is_loopback_host(config.http.address)) {
    return fail(Errc::config, "serve: endpoint_urls is required when listening on '" + config.http.address +
                                  "': list the URLs clients use to reach this endpoint (e.g. "
                                  "[https://enroll.example.org]); requests are signed for one of them");
  }
  return {};
}

Result<std::vector<std::string>> endpoint_origins(const ServeConfig& config, std::uint16_t bound_port) {
  std::vector<std::string> origins;
  for (const auto& text : config.endpoint_urls) origins.push_back(VPS_TRY(net::http::parse_url(text)).origin());
  if (!origins.empty()) return origins;
  const std::string scheme = config.http.cert_file ? "https" : "http";
  const std::string port = std::to_string(bound_port);
  const std::string& address = config.http.address;
  const bool v6 = address.find(':') != std::string::npos;
  origins.push_back(scheme + "://" + (v6 ? "[" + address + "]" : address) + ":" + port);
  origins.push_back(scheme + "://localhost:" + port);
  return origins;
}

}  // namespace vps::enroll::server
